"""Staff accounts, roles, branches, document ACLs, sessions and API tokens.

``principal`` (who acts, what roles allow) and ``acl`` (who may see a document) are imported by every
domain; ``service`` holds the account operations the faces call.
"""

from xiaoyin.core.auth.acl import DocumentAcl
from xiaoyin.core.auth.principal import Permission, Principal, Role

__all__ = ["DocumentAcl", "Permission", "Principal", "Role"]
