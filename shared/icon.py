"""Where the application icon files live (shared/assets/), for the windows and the executables."""

from pathlib import Path

ASSETS = Path(__file__).resolve().with_name("assets")
ICON_PNG = ASSETS / "classchat.png"  # window icon (Tk iconphoto)
ICON_ICO = ASSETS / "classchat.ico"  # Windows executables
