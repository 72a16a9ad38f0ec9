"""The Textual app: a thin App, one screen per module, widgets, the presenter and trainer.tcss."""
