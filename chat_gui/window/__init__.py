"""The Tk chat window: the controller, its widgets, the theme and the embedded server (Tk thread)."""
