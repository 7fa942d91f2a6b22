"""Result folders: their layout, manifests, atomic writing under a lock, and reading back."""
