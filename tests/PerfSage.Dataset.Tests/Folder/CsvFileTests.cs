using System.Text;
using Xunit;

namespace PerfSage.Dataset.Tests.Folder;

public class CsvFileTests
{
    private static (string[] Header, List<CsvRow> Rows) Read(string text) => CsvFile.Read("t.csv", Encoding.UTF8.GetBytes(text));

    [Fact]
    public void An_unclosed_quote_ends_at_its_line_and_the_next_lines_are_rows()
    {
        (string[] header, List<CsvRow> rows) = Read("a,b\n\"x,1\ny,2\n\"z\",3\nw,\"4\n");
        Assert.Equal(["a", "b"], header);
        Assert.Equal([2L, 3, 4, 5], rows.Select(r => r.Line));
        Assert.Equal([true, false, false, true], rows.Select(r => r.Malformed));
        Assert.Equal(["y", "2"], rows[1].Fields);
        Assert.Equal(["z", "3"], rows[2].Fields); // a quoted field that closes on its line is fine
    }

    [Fact]
    public void A_line_break_in_a_written_field_becomes_a_space_so_the_file_reads_back()
    {
        byte[] bytes = CsvFile.Write(["id", "origin"], [["m1", "board\r\nrun 2\nrow 3"], ["m2", "plain"]]);
        Assert.Equal("id,origin\nm1,board run 2 row 3\nm2,plain\n", Encoding.UTF8.GetString(bytes));
        (_, List<CsvRow> rows) = CsvFile.Read("t.csv", bytes);
        Assert.Equal([["m1", "board run 2 row 3"], ["m2", "plain"]], rows.Select(r => r.Fields));
    }
}
