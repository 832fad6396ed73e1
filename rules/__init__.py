"""Rule checks over an article and its assertions: terminology packs, consistency, reference."""
