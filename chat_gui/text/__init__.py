"""Text helpers both clients use: emoji shortcodes and their groups, mentions of a nickname (pure, any thread)."""
