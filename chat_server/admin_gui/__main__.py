"""`python -m chat_server.admin_gui`: the admin window, as `chat-server-gui`."""

from chat_server.admin_gui.app import main

main()
