"""History on the wire: replay on join, HISTORY pages, SEARCH, DELETE, transcripts (see docs/protocol.md, History).

    marks.py        what one connection has of the history (HistoryMarks, on every Session)
    policy.py       who may read a room's history, see a private message, delete a message (hooks)
    requests.py     the arguments of HISTORY, SEARCH and DELETE
    frames.py       kept messages as frames; search results cut to fit one frame
    replay.py       the replay that follows every `joined`
    transcripts.py  a room's messages written to a .txt, .csv or .html file (admin console and window)
    purge.py        one person's room messages of the last minutes deleted at once (PURGE, the admin)

The store itself is chat_server/storage; the commands are chat_server/handlers/history.py,
the admin side chat_server/admin_history.py.
"""
