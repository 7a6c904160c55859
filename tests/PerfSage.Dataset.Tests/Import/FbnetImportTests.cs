using PerfSage.Dataset.Spaces;
using PerfSage.Dataset.Tests.Build;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests.Import;

public class FbnetImportTests
{
    private const string AllSkip =
        "skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip|skip";
    private const string AllK3 =
        "k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1";

    private static string SmallCsv(TempFolder dir)
    {
        string path = dir.Sub("fb.csv");
        File.WriteAllLines(path,
        [
            "fbnet_index,arch,1080ti_1,1080ti_32,silver_4114",
            $"3,{AllSkip},4.5,6.25,20",
            $"12,{AllK3},5.5,,31",
        ]);
        return path;
    }

    [Fact]
    public void Each_batch_gets_its_own_graph_and_each_device_column_its_target()
    {
        using var dir = new TempFolder("fbnet");
        BuildResult r = FbnetImporter.Import(new FbnetImportRequest(SmallCsv(dir)), dir.Sub("out"), new BuildOptions { Jobs = 2 });
        // Row 3: batch 1 (1080ti_1, silver_4114) and batch 32 (1080ti_32); row 12 has no batch-32 value.
        Assert.Equal((3, 3, 5), (r.Models, r.Built, r.Labels));

        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"), verifyGraphs: true);
        Assert.Equal(["fbnet-00003", "fbnet-00003-b32", "fbnet-00012"], folder.Models.Select(m => m.Id));
        Assert.Equal(4.5, folder.Find("fbnet-00003")!.Label("1080ti_1", Metric.LatencyMs));
        Assert.Equal(20, folder.Find("fbnet-00003")!.Label("silver_4114", Metric.LatencyMs));
        Assert.False(folder.Find("fbnet-00003")!.Labels.ContainsKey("1080ti_32"));
        Assert.Equal(6.25, folder.Find("fbnet-00003-b32")!.Label("1080ti_32", Metric.LatencyMs));
        Assert.Single(folder.Find("fbnet-00003-b32")!.Labels);
        Assert.Equal(31, folder.Find("fbnet-00012")!.Label("silver_4114", Metric.LatencyMs));
        Assert.All(folder.Labels, l => Assert.Equal("measured:fbnet", l.Source));

        DatasetModel b32 = folder.Find("fbnet-00003-b32")!;
        Assert.Equal(("fbnet", "float32", "32", "3"), (b32.Info.Family, b32.Info.Variant, b32.Info.Knobs["batch"], b32.Info.Knobs["fbnet_index"]));
        OpGraph g32 = OpGraph.FromModel(TfliteReader.ReadFile(b32.GraphPath));
        Assert.Equal([32, 32, 32, 3], g32.Tensors[g32.Inputs[0]].Shape.ToArray());
        Assert.Equal(32L * 11_608_960, g32.TotalMacs); // FbnetNetworkTests: the all-skip network is 11,608,960 MACs
        OpGraph g12 = OpGraph.FromModel(TfliteReader.ReadFile(folder.Find("fbnet-00012")!.GraphPath));
        Assert.Equal(31_322_240, g12.TotalMacs);

        BuildInfo info = Assert.Single(folder.Manifest.Builds);
        Assert.Equal(("fbnet", "cifar100", "fb.csv"), (info.Kind, info.Input, info.Csv));
        Assert.Equal(["1080ti_1", "1080ti_32", "silver_4114"], info.Targets);
        Assert.Equal(new Dictionary<string, int> { ["1080ti_32"] = 32 }, info.TargetBatches);
    }

    [Fact]
    public void A_bad_block_name_is_refused_naming_the_row()
    {
        using var dir = new TempFolder("fbnet");
        string path = dir.Sub("bad.csv");
        File.WriteAllLines(path, ["fbnet_index,arch,raspi4", $"0,{AllSkip},3", $"1,{AllSkip.Replace("skip|skip|skip", "skip|k7_e1|skip", StringComparison.Ordinal)},3"]);
        var e = Assert.Throws<DatasetException>(() => FbnetImporter.Import(new FbnetImportRequest(path), dir.Sub("out")));
        Assert.Equal($"{path}: row 3: FBNet layer 1: block 'k7_e1' is not one of k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip", e.Message);
        Assert.False(Directory.Exists(dir.Sub("out")) && Directory.EnumerateFiles(dir.Sub("out"), "*.tflite", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void The_wrong_header_is_refused()
    {
        using var dir = new TempFolder("fbnet");
        string path = dir.Sub("nb.csv");
        File.WriteAllLines(path, ["nb201_index,arch,raspi4", $"0,{AllSkip},3"]);
        var e = Assert.Throws<DatasetException>(() => FbnetImporter.Import(new FbnetImportRequest(path), dir.Sub("out")));
        Assert.StartsWith($"{path}: header must be fbnet_index,arch,<device>...", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nb201_batch_columns_get_batch_graphs_and_batch_one_ids_stay()
    {
        using var dir = new TempFolder("nb201");
        const string arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
        string path = dir.Sub("nb.csv");
        File.WriteAllLines(path, ["nb201_index,arch,titan_rtx_1,titan_rtx_256", $"17,{arch},5,40"]);
        Nb201Importer.Import(new Nb201ImportRequest(path) { Graph = Nb201Graph.Converted }, dir.Sub("out"));
        DatasetFolder folder = DatasetFolder.Load(dir.Sub("out"));
        Assert.Equal(["nb201-00017", "nb201-00017-b256"], folder.Models.Select(m => m.Id));
        OpGraph one = OpGraph.FromModel(TfliteReader.ReadFile(folder.Models[0].GraphPath));
        OpGraph many = OpGraph.FromModel(TfliteReader.ReadFile(folder.Models[1].GraphPath));
        Assert.Equal([256, 32, 32, 3], many.Tensors[many.Inputs[0]].Shape.ToArray());
        Assert.Equal(256 * one.TotalMacs, many.TotalMacs);
        Assert.Equal(GraphStructure.Of(Nb201Space.FromArchString(arch)), GraphStructure.Of(one));
        Assert.Equal(40, folder.Models[1].Label("titan_rtx_256", Metric.LatencyMs));
    }
}
