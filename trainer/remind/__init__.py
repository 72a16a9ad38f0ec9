"""Reminders: when they are due, the tmux popup that offers them, the systemd unit (no Textual)."""
