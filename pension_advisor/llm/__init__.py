from .factory import chat_model, judge_retries, resolved_provider

__all__ = ["chat_model", "judge_retries", "resolved_provider"]
