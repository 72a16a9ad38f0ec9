"""Timed sessions: timeline (routine -> phases), engine on an injected clock, prepared (pure)."""
