"""Audio cues: the cue theme (pydub), voice, players (bell, local, none, recording), export.

No Textual here: the app hands session events to `CueEngine.handle` and gives the bell player a
callback that rings the terminal. See engine.py for how events become sounds.
"""
