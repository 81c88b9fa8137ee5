"""The server's admin window (Tk): start, watch and steer a server; the server core never imports this package."""
