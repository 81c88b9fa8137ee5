"""/ignore in the chat window folds the ignored classmate's room messages: live, replayed and /history lines under
one "N messages from someone you ignore — show" line per run of them, shown by a click or View > Show hidden
messages; never a teacher's, never a notice.  Real server, real Tk under Xvfb."""

from __future__ import annotations

from tests.gui.client.conftest import WAIT
from tests.integration.identity_support import add_account, login
from tests.support import wait_until


def folded(view, words: str) -> bool:
    """Whether the line holding `words` is elided (folded under a "from someone you ignore" line)."""
    at = view.text.search(words, "1.0", elide=True)
    assert at, (words, view.all_text())
    return any(view.text.tag_cget(tag, "elide") in ("1", 1, True) for tag in view.text.tag_names(at))


def click_words(view, words: str, tk_root) -> None:
    at = view.text.search(words, "1.0")
    assert at, (words, view.all_text())
    view.text.see(at)
    tk_root.update()
    x, y, _width, height = view.text.bbox(f"{at} +2c")
    for event in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        view.text.event_generate(event, x=x, y=y + height // 2)
    tk_root.update()


def test_his_room_messages_fold_in_runs_and_a_click_shows_them(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob, cy = wire(server, "bob", "general"), wire(server, "cy", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    for client, words in ((bob, "first of his"), (bob, "second of his"), (cy, "cy between"), (bob, "third of his")):
        client.send(f"SAY {words}")  # one at a time: two connections' lines may cross on the way
        wait_until(lambda said=words: said in view.all_text(), pump=tk_root.update, timeout=WAIT)
    cy.send("SAY cy after")
    wait_until(lambda: "cy after" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert all(folded(view, words) for words in ("first of his", "second of his", "third of his"))
    assert not folded(view, "cy between") and not folded(view, "cy after")
    text = view.all_text()
    assert "2 messages from someone you ignore — show" in text, "a run of two folds under one line"
    assert "1 message from someone you ignore — show" in text
    assert view.hidden_count() == 3
    click_words(view, "2 messages from someone you ignore", tk_root)
    assert not folded(view, "first of his") and not folded(view, "second of his"), "the click shows the run"
    assert folded(view, "third of his") and "2 messages from someone" not in view.all_text()
    assert view.hidden_count() == 1
    # the keyboard's way: View > Show hidden messages
    alice.window.show_hidden_messages()
    assert not folded(view, "third of his") and view.hidden_count() == 0
    # /history: his kept lines fold too; after /unignore nothing new folds
    assert alice.send_typed("/history")
    wait_until(lambda: "(end of the" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert view.hidden_count() == 3, "the page folds his three kept lines again (a run of two, then one)"
    assert alice.send_typed("/unignore bob")
    wait_until(lambda: "You no longer ignore bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    bob.send("SAY heard again")
    wait_until(lambda: "heard again" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not folded(view, "heard again")


def test_a_teacher_is_never_folded_nor_a_notice(server, open_window, wire, tk_root):
    add_account(server, "Mr_Ray", "teacher")
    alice = open_window(server, "alice", "general")
    ray = wire(server, "ray_guest", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore ray_guest")
    wait_until(lambda: "You ignore: ray_guest." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    ray.send("SAY as a student")
    wait_until(lambda: "from someone you ignore" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    ray.expect("message")
    login(ray, "Mr_Ray")  # the same person, now the teacher: the window follows the rename, the role wins
    wait_until(lambda: "Mr_Ray" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert alice.ignored.ignores("Mr_Ray")
    ray.send("SAY as your teacher")
    wait_until(lambda: "as your teacher" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not folded(view, "as your teacher") and folded(view, "as a student")
    assert not folded(view, "Mr_Ray"), "the rename notice is not folded"


def test_the_replay_on_joining_folds_his_kept_lines(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    bob.send("JOIN maths")
    bob.expect("joined")
    bob.send("SAY kept in maths")
    bob.expect("message")
    assert alice.send_typed("/join maths")
    maths = alice.window.tabs.view_for_room("maths")
    wait_until(lambda: "kept in maths" in maths.all_text(), pump=tk_root.update, timeout=WAIT)
    assert folded(maths, "kept in maths") and maths.hidden_count() == 1


def test_people_here_marks_whom_she_ignores_under_his_new_name_too(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob, _cy = wire(server, "bob", "general"), wire(server, "cy", "general")
    users = alice.window.users
    wait_until(lambda: "cy" in users.row_texts(), pump=tk_root.update, timeout=WAIT)
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "bob (ignored)" in users.row_texts(), pump=tk_root.update, timeout=WAIT)
    assert "cy" in users.row_texts() and "alice (you)" in users.row_texts()
    bob.send("NICK bobby")
    wait_until(lambda: "bobby (ignored)" in users.row_texts(), pump=tk_root.update, timeout=WAIT)
    assert alice.send_typed("/unignore bobby")
    wait_until(lambda: "bobby" in users.row_texts(), pump=tk_root.update, timeout=WAIT)


def test_lines_shown_before_the_ignore_fold_too_and_unfold_after_unignore(server, open_window, wire, tk_root):
    """Found by review 14 (ignore3): his lines already in the pane stayed in full after /ignore, in every tab, and a
    folded run stayed folded after /unignore.  Now they fold where they are, her reading place kept, and unfold."""
    alice = open_window(server, "alice", "general")
    bob, cy = wire(server, "bob", "general"), wire(server, "cy", "general")
    bob.send("JOIN maths")
    bob.expect("joined")
    bob.send("SAY kept in maths")
    bob.expect("message")
    assert alice.send_typed("/join maths")  # the replay shows his kept line, not folded: not ignored yet
    maths = alice.window.tabs.view_for_room("maths")
    wait_until(lambda: "kept in maths" in maths.all_text(), pump=tk_root.update, timeout=WAIT)
    assert alice.send_typed("/join general")
    view = alice.window.tabs.view_for_room("general")
    wait_until(lambda: view.all_text().count("You joined #general") == 2, pump=tk_root.update, timeout=WAIT)
    bob.send("JOIN general")
    bob.expect("joined")
    for client, words in ((bob, "his early one"), (bob, "his early two"), (cy, "cy in between"), (bob, "his later")):
        client.send(f"SAY {words}")
        wait_until(lambda said=words: said in view.all_text(), pump=tk_root.update, timeout=WAIT)
    fillers = [cy, wire(server, "dee", "general"), wire(server, "eve", "general")]  # 20 each: within the burst
    for number in range(60):
        fillers[number // 20].send(f"SAY filler {number:02}")
        if number % 20 == 19:
            wait_until(lambda said=f"filler {number:02}": said in view.all_text(), pump=tk_root.update, timeout=WAIT)
    wait_until(lambda: "filler 59" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    view.text.yview(view.text.search("filler 30", "1.0"))  # she scrolled back to read
    tk_root.update()
    reading = view.text.get("@0,0 linestart", "@0,0 lineend")
    assert "filler 30" in reading and not view.is_following()
    assert not folded(view, "his early one") and not folded(maths, "kept in maths")
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert all(folded(view, words) for words in ("his early one", "his early two", "his later"))
    assert not folded(view, "cy in between") and not folded(view, "filler 00")
    assert "2 messages from someone you ignore — show" in view.all_text(), "his run of two folds under one line"
    assert view.hidden_count() == 3
    assert folded(maths, "kept in maths") and maths.hidden_count() == 1, "the replayed tab folds too"
    assert view.text.get("@0,0 linestart", "@0,0 lineend") == reading, "her reading place is kept"
    assert alice.send_typed("/unignore bob")
    wait_until(lambda: "You no longer ignore bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert not any(folded(view, words) for words in ("his early one", "his early two", "his later"))
    assert "from someone you ignore" not in view.all_text() and view.hidden_count() == 0
    assert not folded(maths, "kept in maths") and maths.hidden_count() == 0
    assert view.text.get("@0,0 linestart", "@0,0 lineend") == reading, "her reading place is kept"


def test_unignore_unfolds_his_lines_folded_as_they_came(server, open_window, wire, tk_root):
    """Found by review 14 (ignore3): after /unignore his live lines folded before stayed folded until clicked."""
    alice = open_window(server, "alice", "general")
    bob = wire(server, "bob", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    bob.send("SAY folded as it came")
    wait_until(lambda: "folded as it came" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert folded(view, "folded as it came")
    assert alice.send_typed("/unignore bob")
    wait_until(lambda: "You no longer ignore bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not folded(view, "folded as it came") and view.hidden_count() == 0
    assert "from someone you ignore" not in view.all_text()


def test_a_run_she_opened_stays_open_when_she_ignores_someone_else(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    bob, dee = wire(server, "bob", "general"), wire(server, "dee", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    bob.send("SAY opened by her click")
    wait_until(lambda: "opened by her click" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    dee.send("SAY dee before")
    wait_until(lambda: "dee before" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    click_words(view, "1 message from someone you ignore", tk_root)
    assert not folded(view, "opened by her click")
    assert alice.send_typed("/ignore dee")
    wait_until(lambda: "You ignore: bob, dee." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert folded(view, "dee before"), "dee's line already shown folds"
    assert not folded(view, "opened by her click"), "what she opened stays open: bob was ignored already"


def test_a_file_he_shares_in_the_room_folds_with_its_card_and_his_pictures_do_not_show_themselves(
    server, open_window, tk_root, tmp_path
):
    """A picture posted by the classmate she ignores must not show itself: its line and its card fold, and
    asking for pictures from the room fetches everyone's but his, until she shows them."""
    from tests.gui.client.test_client_files import make_file, png_bytes, wait_card

    alice = open_window(server, "alice", "general")
    bob = open_window(server, "bob", "general")
    cy = open_window(server, "cy", "general")
    view = alice.room_view
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    cy.files.send_file(make_file(tmp_path / "cy", "graph.png", png_bytes(60, 30)))
    cy_card = wait_card(alice, "graph.png", tk_root)
    cy_card.picture_button.invoke()  # pictures from #general from now on
    wait_until(cy_card.has_thumbnail, pump=tk_root.update, timeout=WAIT, message="no thumbnail of cy's picture")
    bob.files.send_file(make_file(tmp_path / "bob", "meme.png", png_bytes(60, 30)))
    card = wait_card(alice, "meme.png", tk_root)
    cy.files.send_file(make_file(tmp_path / "cy", "table.png", png_bytes(60, 30)))
    later = wait_card(alice, "table.png", tk_root)
    wait_until(later.has_thumbnail, pump=tk_root.update, timeout=WAIT, message="no thumbnail of cy's later picture")
    tk_root.update()
    assert folded(view, "shared meme.png"), view.all_text()
    at = view.text.index(card)
    assert any(view.text.tag_cget(tag, "elide") in ("1", 1, True) for tag in view.text.tag_names(at)), "card shown"
    assert not card.has_thumbnail() and not card.fetching, "his picture was fetched although folded"
    assert not folded(view, "shared table.png") and not folded(view, "shared graph.png")
    assert "1 message from someone you ignore — show" in view.all_text()
    click_words(view, "1 message from someone you ignore", tk_root)
    assert not folded(view, "shared meme.png")
    assert not any(view.text.tag_cget(tag, "elide") in ("1", 1, True) for tag in view.text.tag_names(at))


def test_his_file_shown_before_the_ignore_folds_with_its_card(server, open_window, tk_root, tmp_path):
    from tests.gui.client.test_client_files import make_file, png_bytes, wait_card

    alice = open_window(server, "alice", "general")
    bob = open_window(server, "bob", "general")
    view = alice.room_view
    bob.files.send_file(make_file(tmp_path / "bob", "meme.png", png_bytes(60, 30)))
    card = wait_card(alice, "meme.png", tk_root)
    at = view.text.index(card)
    assert not folded(view, "shared meme.png")
    assert alice.send_typed("/ignore bob")
    wait_until(lambda: "You ignore: bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert folded(view, "shared meme.png"), view.all_text()
    at = view.text.index(card)
    assert any(view.text.tag_cget(tag, "elide") in ("1", 1, True) for tag in view.text.tag_names(at)), "card shown"
    assert "1 message from someone you ignore — show" in view.all_text(), "the line and its card are one message"
    assert alice.send_typed("/unignore bob")
    wait_until(lambda: "You no longer ignore bob." in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert not any(view.text.tag_cget(tag, "elide") in ("1", 1, True) for tag in view.text.tag_names(at))
