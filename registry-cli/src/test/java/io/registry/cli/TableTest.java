package io.registry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void columnsAlignToTheWidestCellAndTrailingSpaceIsTrimmed() {
        Table t = new Table("ID", "ADDRESS", "PORT").row("a", "10.0.0.1", 80).row("longer-id", "h", 8080);
        assertThat(t.render(new Style(false))).containsExactly(
                "ID         ADDRESS   PORT",
                "a          10.0.0.1  80",
                "longer-id  h         8080");
    }

    @Test
    void nullShowsAsADash() {
        Table t = new Table("A", "B").row(null, "x");
        assertThat(t.render(new Style(false))).containsExactly("A  B", "-  x");
    }

    @Test
    void coloursDoNotBreakAlignment() {
        Style on = new Style(true);
        Table t = new Table("STATUS", "ID").row(new Table.Cell("ok", on::green), "a").row("critical", "b");
        java.util.List<String> lines = t.render(on);
        String plain = lines.get(1).replaceAll("\u001B\\[[0-9;]*m", "");
        assertThat(plain).isEqualTo("ok        a");
        assertThat(lines.get(1)).contains("\u001B[32mok\u001B[0m");
    }

    @Test
    void noColourCodesWhenOff() {
        Table t = new Table("A").row(new Table.Cell("x", new Style(false)::red));
        assertThat(String.join("\n", t.render(new Style(false)))).doesNotContain("\u001B");
    }

    @Test
    void aRowMustFillEveryColumn() {
        assertThatThrownBy(() -> new Table("A", "B").row("only-one")).isInstanceOf(IllegalArgumentException.class);
    }
}
