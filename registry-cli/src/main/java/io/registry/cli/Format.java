package io.registry.cli;

import java.util.Iterator;
import java.util.List;

/** How results are printed: aligned tables for people, JSON (the API's shapes) for scripts. */
enum Format {
    TABLE, JSON;

    /** Lower-case names for help text and shell completion. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("table", "json").iterator();
        }
    }
}
