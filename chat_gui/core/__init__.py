"""The client core: everything both clients do with a connection, with no Tk and no terminal (scheduler thread).

    typed line --interpret()--> Send / Refuse / OpenPrivate / ...            typed_lines.py
                                  |
                                  v
    front end --start, send, reconnect_now--> ClientSession --> ChatConnection (reader thread, bounded Inbox)
        ^                                      |   roster.py: who is online, as far as this client saw
        |                                      |   pacing.py: reconnect delays, the send rate
        +--- StateChanged / Received / LineSent (events.py), on the scheduler's thread

    the Tk window (chat_gui.window.controller):  TkScheduler, i.e. root.after, on the Tk thread
    chat-term (chat_gui.terminal):        ThreadScheduler, a "chat-core" thread; keyboard and screen on their own

Importing this package loads no tkinter.
"""
