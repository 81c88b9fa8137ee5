"""Tk code both windows use (the chat window and the server's admin window); shared/ itself stays free of Tk."""
