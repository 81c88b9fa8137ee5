"""The ClassChat client side: the Tk window, the terminal client and their shared connection."""
