"""Allow `python -m trainer`."""

from trainer.startup import main

raise SystemExit(main())
