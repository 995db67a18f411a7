"""Find and register the TrueType CJK font used to render generated documents."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from xiaoyin.core.errors import ModelUnavailable
from xiaoyin.core.settings import get_settings

FONT_NAME = "XiaoyinCJK"
CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)


def font_path() -> Path:
    """``settings.docs.font_path`` if set, else the first installed WenQuanYi font."""
    configured = get_settings().docs.font_path
    if configured is not None:
        if not Path(configured).is_file():
            raise ModelUnavailable(f"配置的字体文件不存在: {configured} (settings docs.font_path)")
        return Path(configured)
    for p in CANDIDATES:
        if p.is_file():
            return p
    raise ModelUnavailable(
        "找不到可嵌入的中文 TrueType 字体: 请安装 Debian 软件包 fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei, 或运行 make), 或设置 docs.font_path",
        searched=[str(p) for p in CANDIDATES],
    )


@cache
def register_font() -> str:
    """Register the CJK font with reportlab once; return its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = font_path()
    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    except Exception as exc:  # a CFF/OTF font or a broken file
        raise ModelUnavailable(f"字体 {path} 无法被 reportlab 使用 (需要 TrueType 轮廓): {exc}") from exc
    return FONT_NAME
