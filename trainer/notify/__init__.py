"""Desktop notifications by escape sequence, through tmux and screen (no Textual)."""
