using PerfSage.Dataset.Spaces;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

public class Nb201ArchTests
{
    private const string Example =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    [Fact]
    public void Parses_the_readme_example_edge_by_edge()
    {
        Nb201Arch a = Nb201Arch.Parse(Example);
        Assert.Equal(Nb201Op.Conv3x3, a.Op(1, 0));
        Assert.Equal(Nb201Op.Conv3x3, a.Op(2, 0));
        Assert.Equal(Nb201Op.AvgPool3x3, a.Op(2, 1));
        Assert.Equal(Nb201Op.SkipConnect, a.Op(3, 0));
        Assert.Equal(Nb201Op.Conv3x3, a.Op(3, 1));
        Assert.Equal(Nb201Op.SkipConnect, a.Op(3, 2));
        // Base-5 digits 3, 3, 4, 1, 3, 1 (most significant first).
        Assert.Equal(((((3 * 5 + 3) * 5 + 4) * 5 + 1) * 5 + 3) * 5 + 1, a.Index);
        Assert.Equal(Example, a.ToString());
    }

    [Fact]
    public void Enumeration_is_a_bijection_with_the_strings()
    {
        var strings = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Nb201Arch.Count; i++)
        {
            var a = new Nb201Arch(i);
            string s = a.ToString();
            Assert.True(strings.Add(s));
            Assert.Equal(i, Nb201Arch.Parse(s).Index);
        }
        Assert.Equal(5 * 5 * 5 * 5 * 5 * 5, strings.Count);
        Assert.Equal("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", new Nb201Arch(0).ToString());
        Assert.Equal("|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|",
            new Nb201Arch(Nb201Arch.Count - 1).ToString());
    }

    [Fact]
    public void Connectivity_needs_a_path_from_input_to_output()
    {
        Assert.False(Nb201Arch.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|").IsConnected);
        Assert.True(Nb201Arch.Parse("|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|").IsConnected);
        Assert.True(Nb201Arch.Parse("|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|").IsConnected);
        // Node 1 is reached but leads nowhere; node 2 leads to 3 but is not reached.
        Assert.False(Nb201Arch.Parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|").IsConnected);
        // 341 of the 15,625 genotypes have no path (counted from the strings of the NB201 table by a separate
        // script, outside this code).
        int disconnected = 0;
        for (int i = 0; i < Nb201Arch.Count; i++)
        {
            disconnected += new Nb201Arch(i).IsConnected ? 0 : 1;
        }
        Assert.Equal(341, disconnected);
    }

    [Theory]
    [InlineData("", "3")]
    [InlineData("|none~0|+|none~0|none~1|", "2 node groups")]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|", "node 3 has 2 incoming edges")]
    [InlineData("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv'")]
    [InlineData("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "reads from '1', expected 0")]
    [InlineData("|none|+|none~0|none~1|+|none~0|none~1|none~2|", "is not op~0")]
    public void Malformed_strings_fail_with_the_reason(string arch, string reason)
    {
        var e = Assert.Throws<SearchSpaceException>(() => Nb201Space.FromArchString(arch));
        Assert.Contains(reason, e.Message);
        Assert.Contains("nor_conv_3x3", e.Message); // lists the valid ops
    }

    [Fact]
    public void Other_element_types_are_refused()
    {
        var e = Assert.Throws<SearchSpaceException>(() => Nb201Space.FromArchString(Example, TensorType.Float16));
        Assert.Contains("float16", e.Message);
        Assert.Throws<SearchSpaceException>(() => new Nb201Space(TensorType.Int16));
    }

    [SkippableFact]
    public void Strings_match_the_nb201_table_and_its_fast_rows_are_folded_networks()
    {
        string csv = SharedData.Require("data/nb201/nb201_latency_ms.csv");
        string[] lines = File.ReadAllLines(csv);
        string[] header = lines[0].Split(',');
        int archColumn = Array.IndexOf(header, "arch");
        int raspi = Array.IndexOf(header, "raspi4");
        var inTable = new HashSet<string>(StringComparer.Ordinal);
        int fast = 0;
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            inTable.Add(f[archColumn]);
            Nb201Arch a = Nb201Arch.Parse(f[archColumn]);
            if (double.Parse(f[raspi], System.Globalization.CultureInfo.InvariantCulture) < 0.1)
            {
                fast++;
                // Every network the Raspberry Pi ran in under 0.1 ms is one our converter model folds away.
                Assert.False(a.IsConnected, $"{f[archColumn]} ran in {f[raspi]} ms but has a live path");
                Assert.Empty(Nb201Space.FromArchString(f[archColumn]).Nodes);
            }
        }
        Assert.Equal(Nb201Arch.Count, inTable.Count);
        Assert.Equal(Nb201Arch.Count, lines.Length - 1);
        Assert.Equal(157, fast);
        for (int i = 0; i < Nb201Arch.Count; i++)
        {
            Assert.Contains(new Nb201Arch(i).ToString(), inTable);
        }
    }
}
