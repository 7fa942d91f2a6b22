"""Result folders: the on-disk contract, written atomically and read back for plots and reports."""
