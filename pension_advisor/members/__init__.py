from .model import Member, MemberNotFound
from .store import MemberStore

__all__ = ["Member", "MemberNotFound", "MemberStore"]
