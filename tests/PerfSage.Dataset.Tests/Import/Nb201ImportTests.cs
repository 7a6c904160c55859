using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Dataset.Tests.Build;
using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests.Import;

public class Nb201ImportTests
{
    private const string ArchA = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
    private const string Folded = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";
    private const string ArchB = "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|";
    private const string ArchC = "|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|avg_pool_3x3~1|skip_connect~2|";

    private static string SmallCsv(TempFolder dir, string name = "nb.csv")
    {
        string path = dir.Sub(name);
        File.WriteAllLines(path,
        [
            "nb201_index,arch,raspi4,pixel3",
            $"17,{ArchA},54.5,20",
            $"10,{Folded},0.0116,",
            $"250,{ArchB},2.75,7.25",
            $"9,{ArchC},16,18.5",
        ]);
        return path;
    }

    [Fact]
    public void Each_row_becomes_a_graph_and_each_device_a_measured_target()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        BuildResult r = Nb201Importer.Import(new Nb201ImportRequest(csv) { Graph = Nb201Graph.Converted }, dir.Sub("out"), new BuildOptions { Jobs = 2 });
        Assert.Equal((4, 4, 7), (r.Models, r.Built, r.Labels)); // the folded arch has no pixel3 value

        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"), verifyGraphs: true);
        Assert.Equal(["nb201-00017", "nb201-00010", "nb201-00250", "nb201-00009"], folder.Models.Select(m => m.Id));
        Assert.Equal(["pixel3", "raspi4"], folder.Targets);
        Assert.Equal(54.5, folder.Find("nb201-00017")!.Label("raspi4", Metric.LatencyMs));
        Assert.Equal(20, folder.Find("nb201-00017")!.Label("pixel3", Metric.LatencyMs));
        Assert.Equal(0.0116, folder.Find("nb201-00010")!.Label("raspi4", Metric.LatencyMs));
        Assert.False(folder.Find("nb201-00010")!.Labels.ContainsKey("pixel3"));
        Assert.Equal(18.5, folder.Find("nb201-00009")!.Label("pixel3", Metric.LatencyMs));
        Assert.All(folder.Labels, l => Assert.Equal("measured:nb201", l.Source));
        Assert.All(folder.Labels, l => Assert.Null(l.EnergyMj));

        DatasetModel a = folder.Find("nb201-00017")!;
        Assert.Equal(("nb201", "float32"), (a.Info.Family, a.Info.Variant));
        Assert.Equal(ArchA, a.Info.Knobs["arch"]);
        Assert.Equal("17", a.Info.Knobs["nb201_index"]);
        OpGraph read = OpGraph.FromModel(TfliteReader.ReadFile(a.GraphPath));
        Assert.Equal(GraphStructure.Of(Nb201Space.FromArchString(ArchA)), GraphStructure.Of(read));
        Assert.Empty(OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010")!.GraphPath)).Nodes);

        DatasetManifest m = folder.Manifest;
        Assert.Equal(["nb201"], m.Spaces);
        Assert.Equal(["measured:nb201"], m.LabelSources);
        BuildInfo b = Assert.Single(m.Builds);
        Assert.Equal(("nb201", "nb.csv", "float32"), (b.Kind, b.Csv, b.Dtype));
        Assert.Equal(["raspi4", "pixel3"], b.Targets);
    }

    [Fact]
    public void Without_graph_every_architecture_is_built_as_each_variant_with_the_same_labels()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        BuildResult r = Nb201Importer.Import(new Nb201ImportRequest(csv) { Limit = 2 }, dir.Sub("out"));
        // 2 rows x 3 variants; 2 + 1 labels per variant (the folded row has no pixel3 value).
        Assert.Equal((6, 9), (r.Models, r.Labels));
        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"), verifyGraphs: true);
        Assert.Equal(
            ["nb201-00017-converted", "nb201-00017-eager", "nb201-00017-pruned", "nb201-00010-converted", "nb201-00010-eager", "nb201-00010-pruned"],
            folder.Models.Select(m => m.Id));
        BuildInfo b = Assert.Single(folder.Manifest.Builds);
        Assert.Equal(["converted", "eager", "pruned"], b.GraphVariants);
        Assert.Null(b.Network);
        Assert.Equal(["nb201"], folder.Manifest.Spaces);
        foreach (string variant in new[] { "converted", "eager", "pruned" })
        {
            DatasetModel a = folder.Find("nb201-00017-" + variant)!;
            Assert.Equal(variant, a.Info.Knobs[GraphVariants.Knob]);
            Assert.Equal(ArchA, a.Info.Knobs["arch"]);
            Assert.Equal(54.5, a.Label("raspi4", Metric.LatencyMs));
            Assert.Equal(20, a.Label("pixel3", Metric.LatencyMs));
            Assert.Equal(0.0116, folder.Find("nb201-00010-" + variant)!.Label("raspi4", Metric.LatencyMs));
            OpGraph read = OpGraph.FromModel(TfliteReader.ReadFile(a.GraphPath));
            Assert.Equal(GraphStructure.Of(Nb201Space.FromArchString(ArchA, TensorType.Float32, Nb201Graphs.Parse(variant))), GraphStructure.Of(read));
        }
        // Index 10 (no path from cell input to output): converted and pruned fold to nothing, eager runs every cell.
        Assert.Empty(OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010-converted")!.GraphPath)).Nodes);
        Assert.Empty(OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010-pruned")!.GraphPath)).Nodes);
        Assert.True(OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010-eager")!.GraphPath)).CountOf(BuiltinOperator.CONV_2D) >= 7);
        Assert.Equal("nb201-00017", GraphVariants.MeasurementId("nb201-00017-eager", "eager"));
        // The variant build is its own build: importing one graph into it is refused.
        var e = Assert.Throws<DatasetException>(() =>
            Nb201Importer.Import(new Nb201ImportRequest(csv) { Graph = Nb201Graph.Eager, Limit = 2 }, dir.Sub("out")));
        Assert.Contains("graph_variants", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int8_graphs_get_their_own_ids_and_variant()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        Nb201Importer.Import(new Nb201ImportRequest(csv) { Dtype = TensorType.Int8, Limit = 2, Graph = Nb201Graph.Converted }, dir.Sub("out"));
        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"));
        Assert.Equal(["nb201-int8-00017", "nb201-int8-00010"], folder.Models.Select(m => m.Id));
        Assert.Equal("int8", folder.Models[0].Info.Variant);
        OpGraph g = OpGraph.FromModel(TfliteReader.ReadFile(folder.Models[0].GraphPath));
        Assert.Contains(g.Nodes, n => n.TypeName == "CONV_2D" && n.DType == TensorType.Int8);
        Assert.Equal(["nb201-int8"], folder.Manifest.Spaces);
    }

    [Fact]
    public void Eager_graphs_keep_folded_architectures_and_are_another_build()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        Nb201Importer.Import(new Nb201ImportRequest(csv) { Graph = Nb201Graph.Eager, Limit = 2 }, dir.Sub("out"));
        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"));
        Assert.Equal(["nb201-00017", "nb201-00010"], folder.Models.Select(m => m.Id));
        Assert.Equal(["nb201-eager"], folder.Manifest.Spaces);
        Assert.Equal("eager", Assert.Single(folder.Manifest.Builds).Network);
        // Index 10 folds to a constant once converted (see above); eager, all its 15 cells still run.
        OpGraph g = OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010")!.GraphPath));
        Assert.True(g.CountOf(BuiltinOperator.CONV_2D) >= 7, $"{g.CountOf(BuiltinOperator.CONV_2D)} convolutions");
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv) { Limit = 2 }, dir.Sub("out")));
        Assert.Contains("network", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pruned_graphs_are_their_own_build_and_space()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        Nb201Importer.Import(new Nb201ImportRequest(csv) { Graph = Nb201Graph.Pruned, Limit = 2 }, dir.Sub("out"));
        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"));
        Assert.Equal(["nb201-pruned"], folder.Manifest.Spaces);
        Assert.Equal("pruned", Assert.Single(folder.Manifest.Builds).Network);
        // Index 10 has no path from the cell input to its output: pruned folds it like converted.
        OpGraph g = OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010")!.GraphPath));
        Assert.Empty(g.Nodes);
        var e = Assert.Throws<DatasetException>(() =>
            Nb201Importer.Import(new Nb201ImportRequest(csv) { Graph = Nb201Graph.Eager, Limit = 2 }, dir.Sub("out")));
        Assert.Contains("network", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_import_resumes_to_the_uninterrupted_result_and_other_input_is_refused()
    {
        using var dir = new TempFolder("nb201");
        string csv = SmallCsv(dir);
        Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("whole"));
        using var cancel = new CancellationTokenSource();
        var options = new BuildOptions { Jobs = 1, Progress = new SyncProgress<BuildProgress>(p => { if (p.Done >= 2) { cancel.Cancel(); } }) };
        Assert.ThrowsAny<OperationCanceledException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("cut"), options, cancel.Token));
        BuildResult resumed = Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("cut"));
        Assert.Equal(2, resumed.Resumed);
        FolderSnapshot.AssertSame(dir.Sub("whole"), dir.Sub("cut"));

        File.AppendAllText(csv, $"11,{ArchB},3,4\n");
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("cut")));
        Assert.Contains("csv_sha256", e.Message);
        var limit = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(SmallCsv(dir, "nb2.csv")) { Limit = 3 }, dir.Sub("whole")));
        Assert.Contains("limit", limit.Message);
    }

    [Theory]
    [InlineData("nb201_index,arch,raspi4", "17,|none~0|+|none~0|none~1|,3", "row 2", "2 node groups separated by '+', expected 3")]
    [InlineData("nb201_index,arch,raspi4", "x17,ARCH,3", "row 2", "nb201_index 'x17' is not a whole number")]
    [InlineData("nb201_index,arch,raspi4", "17,ARCH,slow", "row 2", "raspi4 latency 'slow' is not a positive number")]
    [InlineData("nb201_index,arch,raspi4", "17,ARCH,0", "row 2", "raspi4 latency '0' is not a positive number")]
    [InlineData("nb201_index,arch,raspi4", "17,ARCH,", "row 2", "no device has a latency")]
    [InlineData("nb201_index,arch,raspi4", "17,ARCH,3,4", "row 2", "expected 3 fields, found 4")] // also: '|' is never taken for the separator
    [InlineData("index,arch,raspi4", "17,ARCH,3", "nb.csv", "header must be nb201_index,arch,<device>")]
    [InlineData("nb201_index,arch", "17,ARCH", "nb.csv", "at least one device column")]
    [InlineData("nb201_index,arch,my device", "17,ARCH,3", "nb.csv", "'my device' is not a valid target name")]
    [InlineData("nb201_index,arch,raspi4", "", "nb.csv", "no data rows under the header")]
    [InlineData("nb201_index,arch,raspi4", "\"17,ARCH,3", "row 2", "malformed CSV quoting")]
    public void Bad_rows_name_the_row_and_the_cause(string header, string row, string where, string expected)
    {
        using var dir = new TempFolder("nb201");
        string csv = dir.Sub("nb.csv");
        File.WriteAllLines(csv, [header, row.Replace("ARCH", ArchA, StringComparison.Ordinal)]);
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("out")));
        Assert.Contains(where, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(Directory.Exists(dir.Sub("out")));
    }

    [Fact]
    public void A_repeated_index_is_refused()
    {
        using var dir = new TempFolder("nb201");
        string csv = dir.Sub("nb.csv");
        File.WriteAllLines(csv, ["nb201_index,arch,raspi4", $"5,{ArchA},3", $"6,{ArchB},3", $"5,{ArchC},3"]);
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("out")));
        Assert.Contains("row 4: nb201_index 5 is also on row 2", e.Message);
    }

    [SkippableFact]
    public void The_first_50_rows_of_the_real_table_import_with_their_values()
    {
        string csv = SharedData.Require("data/nb201/nb201_latency_ms.csv");
        using var dir = new TempFolder("nb201");
        BuildResult r = Nb201Importer.Import(new Nb201ImportRequest(csv) { Limit = 50, Graph = Nb201Graph.Converted }, dir.Path, new BuildOptions { Jobs = 2 });
        DatasetFolder folder = DatasetFolder.Load(dir.Path);

        // The oracle: the file read line by line (its arch strings hold no commas or quotes).
        string[] lines = [.. File.ReadLines(csv).Take(51)];
        string[] devices = lines[0].Split(',')[2..];
        Assert.Equal(["raspi4", "gold_6226", "silver_4114", "titan_rtx_1", "1080ti_1", "samsung_a50", "fpga"], devices);
        Assert.Equal(50, r.Models);
        Assert.Equal(50 * devices.Length, r.Labels);
        for (int k = 1; k <= 50; k++)
        {
            string[] f = lines[k].Split(',');
            string id = "nb201-" + int.Parse(f[0], CultureInfo.InvariantCulture).ToString("D5", CultureInfo.InvariantCulture);
            DatasetModel m = folder.Find(id)!;
            Assert.Equal(f[1], m.Info.Knobs["arch"]);
            for (int d = 0; d < devices.Length; d++)
            {
                Assert.Equal(double.Parse(f[d + 2], CultureInfo.InvariantCulture), m.Label(devices[d], Metric.LatencyMs));
            }
        }
        // Row 11 (nb201_index 10) is a cell whose every path is `none`: its graph has no operators.
        Assert.Empty(OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("nb201-00010")!.GraphPath)).Nodes);
    }

    [Fact]
    public void An_unclosed_quote_is_named_on_its_own_row()
    {
        using var dir = new TempFolder("nb201");
        string csv = dir.Sub("nb.csv");
        File.WriteAllLines(csv, ["nb201_index,arch,raspi4", $"5,{ArchA},3", $"6,\"{ArchB},3", $"7,{ArchC},3"]);
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("out")));
        Assert.Equal($"{csv}: row 3: malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)", e.Message);
        // With a limit that stops before it, the rows above import.
        BuildResult r = Nb201Importer.Import(new Nb201ImportRequest(csv) { Limit = 1, Graph = Nb201Graph.Converted }, dir.Sub("out"));
        Assert.Equal(1, r.Models);
    }

    [Fact]
    public void A_huge_field_is_cut_short_in_the_message()
    {
        using var dir = new TempFolder("nb201");
        string csv = dir.Sub("nb.csv");
        string huge = new('q', 10 << 20); // 10 MB
        File.WriteAllLines(csv, ["nb201_index,arch,raspi4", $"5,{huge},3"]);
        var e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("out")));
        Assert.StartsWith($"{csv}: row 2: NAS-Bench-201 architecture '{new string('q', 80)}…': 1 node groups", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < csv.Length + 400, $"{e.Message.Length} characters");

        File.WriteAllLines(csv, ["nb201_index,arch,raspi4", $"{huge},{ArchA},3"]);
        e = Assert.Throws<DatasetException>(() => Nb201Importer.Import(new Nb201ImportRequest(csv), dir.Sub("out")));
        Assert.Equal($"{csv}: row 2: nb201_index '{new string('q', 80)}…' is not a whole number", e.Message);
    }

    [SkippableFact]
    public void A_named_pipe_or_dev_zero_as_the_table_is_refused_before_it_is_read()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes and /dev/zero are checked on Linux");
        using var dir = new TempFolder("nb201");
        string fifo = dir.Sub("pipe.csv");
        HostileFiles.MakeFifo(fifo);
        Exception? e = HostileFiles.WithoutHang(
            () => Record.Exception(() => Nb201Importer.Import(new Nb201ImportRequest(fifo), dir.Sub("out"))), "importing a named pipe");
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a NAS-Bench-201 CSV must be a regular file",
            Assert.IsType<DatasetException>(e).Message);
        e = HostileFiles.WithoutHang(
            () => Record.Exception(() => Nb201Importer.Import(new Nb201ImportRequest("/dev/zero"), dir.Sub("out"))), "importing /dev/zero");
        Assert.Equal("/dev/zero: is a character device, not a regular file; a NAS-Bench-201 CSV must be a regular file",
            Assert.IsType<DatasetException>(e).Message);
        Assert.False(Directory.Exists(dir.Sub("out")));
    }
}
