"""REST API face: FastAPI routers that validate input, call service functions and return JSON."""
