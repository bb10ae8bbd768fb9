"""A class on one server: class codes and nicknames (access), sharing runs to the board (service, limits, board,
share_spool), its database (storage), and the presenter's lead (suggestions, questions, lesson_script)."""
