from .loader import ConfigError, load_settings
from .schema import Settings

__all__ = ["ConfigError", "Settings", "load_settings"]
