from .factory import chat_model, resolved_provider

__all__ = ["chat_model", "resolved_provider"]
