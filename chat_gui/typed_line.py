"""What a line typed in the window means: a wire command, a local action or nothing (any thread; pure).

Plain text goes out as `SAY <text>`, so "join me for lunch" and "bob: are
you there?" stay public.  A leading `/` makes a command; `//` escapes it so
"//etc" is said as "/etc".  In a private conversation plain text is sent
as `PM <nick> <text>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.names import MAX_TEXT_CHARS

GUI_HELP = """Type a line and press Enter to say it in your room (Shift+Enter starts a new line).
Up/Down bring back earlier lines; Tab completes a nickname.
Commands:
  /join <room>        go to <room> (it is created if nobody is there)
  /msg <nick> <text>  send <text> privately to <nick> (a private tab opens)
  /pm <nick> <text>   the same as /msg
  /leave              leave your room
  /list               show who is online and which rooms exist
  /nick <name>        change your nickname
  /help               show this help
  /quit               leave the chat and close the window
Double-click a room to go there, a name to talk privately."""


@dataclass(frozen=True)
class TypedLine:
    """kind: "send" (wire `command`), "help", "quit", "private" (open a tab), "error" or "empty".

    An "error" line was not sent: the window leaves it in the box to be fixed."""

    kind: str
    command: str = ""
    text: str = ""  # what the pane shows (the error, or the message)
    nick: str = ""


def interpret_line(line: str, private_to: str | None = None) -> TypedLine:
    """Translate one typed line; `private_to` is the nickname of the private tab it was typed in."""
    typed = _interpret(line, private_to)
    if typed.kind == "send" and len(typed.text) > MAX_TEXT_CHARS:
        return TypedLine(
            "error",
            text=f"That message is {len(typed.text)} characters long; the limit is "
            f"{MAX_TEXT_CHARS}. It is still in the box: shorten it or split it.",
        )
    return typed


def _interpret(line: str, private_to: str | None) -> TypedLine:
    text = line.strip()
    if not text:
        return TypedLine("empty")
    if text.startswith("//"):
        text = text[1:]
    elif text.startswith("/"):
        return _interpret_command(text[1:])
    if private_to:
        return TypedLine("send", f"PM {private_to} {text}", text, private_to)
    return TypedLine("send", f"SAY {text}", text)


def _interpret_command(body: str) -> TypedLine:
    word, _, rest = body.partition(" ")
    word = word.lower()
    argument = rest.strip()
    if word in ("msg", "pm", "query", "whisper"):
        nick, _, message = argument.partition(" ")
        nick = nick.rstrip(":")
        if not nick:
            return TypedLine("error", text=f"Say who to: /{word} <nick> <text>")
        if not message.strip():
            return TypedLine("private", nick=nick)
        return TypedLine("send", f"PM {nick} {message.strip()}", message.strip(), nick)
    if word == "join":
        if not argument:
            return TypedLine("error", text="Say which room: /join <room>, e.g. /join general")
        return TypedLine("send", f"JOIN {argument}")
    if word == "nick":
        if not argument:
            return TypedLine("error", text="Say which nickname: /nick <name>")
        return TypedLine("send", f"NICK {argument}")
    if word in ("leave", "part"):
        return TypedLine("send", "LEAVE")
    if word == "list":
        return TypedLine("send", "LIST")
    if word in ("help", "?"):
        return TypedLine("help", text=GUI_HELP)
    if word in ("quit", "exit"):
        return TypedLine("quit", f"QUIT {argument}".strip())
    if word == "say":
        if not argument:
            return TypedLine("empty")
        return TypedLine("send", f"SAY {argument}", argument)
    if not word:
        return TypedLine("error", text="A line that starts with / is a command; /help lists them.")
    # Anything else goes to the server as typed (e.g. /ping); it answers unknown_command if it must.
    return TypedLine("send", body.strip())
