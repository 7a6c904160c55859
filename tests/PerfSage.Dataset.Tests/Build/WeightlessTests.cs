using System.Text;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Targets;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests.Build;

/// <summary>Weightless graph files (#14 item 2): the same graph for the reader, the featurizer and every
/// estimator as the file with weights, at a fraction of the size; malformed markers are refused.</summary>
public class WeightlessTests
{
    private const string FbnetArch0 =
        "k5_e6|skip|k3_e1_g2|skip|k5_e1|skip|skip|skip|k5_e6|k5_e1|k3_e1_g2|k5_e1|k5_e6|k3_e6|k3_e3|k5_e6|k3_e6|k3_e3|k5_e1|k3_e3|k5_e1|k5_e1_g2";

    public static TheoryData<string> Graphs() =>
    [
        "kws:0", "kws:1", "vww:0", "ic:0", "ad:0", "mobile:0", "ops:0", "ops:3", "ops:11", "nb201:0", "nb201-int8:0",
        "fbnet", "fbnet-b32", "example",
    ];

    private static OpGraph Graph(string which)
    {
        if (which == "example")
        {
            return ExampleModels.KwsDsCnnInt8();
        }
        if (which.StartsWith("fbnet", StringComparison.Ordinal))
        {
            return FbnetNetwork.Build(FbnetArch.Parse(FbnetArch0), FbnetInput.Cifar100, which.EndsWith("-b32", StringComparison.Ordinal) ? 32 : 1);
        }
        string[] parts = which.Split(':');
        return SearchSpaces.Get(parts[0]).Sample(7, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)).Graph;
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Reader_featurizer_and_estimators_see_the_same_graph(string which)
    {
        OpGraph source = Graph(which);
        byte[] full = GraphExporter.Write(source, 11);
        byte[] light = GraphExporter.WriteWeightless(source, 11);
        TfliteModel lightModel = TfliteReader.Parse(light, "light.tflite");
        Assert.True(lightModel.IsWeightless);
        Assert.Equal(full.Length, lightModel.WeightlessFileBytes);
        Assert.False(TfliteReader.Parse(full, "full.tflite").IsWeightless);

        OpGraph a = OpGraph.FromModel(TfliteReader.Parse(full, "m.tflite"));
        OpGraph b = OpGraph.FromModel(lightModel);
        Assert.True(b.IsWeightless);
        Assert.False(a.IsWeightless);
        Assert.Equal(a.FileBytes, b.FileBytes);
        Assert.Equal(a.TotalCost, b.TotalCost);
        Assert.Equal(a.ConstantBytes, b.ConstantBytes);
        Assert.Equal(a.Tensors.Select(t => (t.Name, t.IsConstant, t.Type, string.Join(',', t.Shape))),
            b.Tensors.Select(t => (t.Name, t.IsConstant, t.Type, string.Join(',', t.Shape))));
        Assert.Equal(a.Nodes.Select(n => n.Cost), b.Nodes.Select(n => n.Cost));

        GraphFeatures fa = Featurizer.Featurize(a);
        GraphFeatures fb = Featurizer.Featurize(b);
        Assert.Equal(fa.NodeFeatures, fb.NodeFeatures);
        Assert.Equal(fa.EdgeFeatures, fb.EdgeFeatures);
        Assert.Equal(fa.GraphFeatureValues, fb.GraphFeatureValues);
        Assert.Equal(fa.OpIndex, fb.OpIndex);

        foreach (TargetSpec spec in TargetCatalog.LoadDefault().Targets)
        {
            TargetEstimate ea = Estimator.For(spec).Estimate(a);
            TargetEstimate eb = Estimator.For(spec).Estimate(b);
            Assert.Equal((ea.LatencyMs, ea.EnergyMj, ea.PeakRamKb, ea.FlashKb, ea.Cycles), (eb.LatencyMs, eb.EnergyMj, eb.PeakRamKb, eb.FlashKb, eb.Cycles));
            Assert.Equal(ea.Layers, eb.Layers);
        }
    }

    [Fact]
    public void A_weightless_nb201_file_is_a_small_fraction_of_the_weighted_one()
    {
        OpGraph g = Nb201Space.FromArchString("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
            TensorType.Float32, Nb201Graph.Eager);
        byte[] full = GraphExporter.Write(g, 1);
        byte[] light = GraphExporter.WriteWeightless(g, 1);
        // Six 3×3 convolutions per cell at C² · 9 float32 weights: stage 3 alone is 5 cells × 6 × 64·64·9·4 bytes
        // = 4.4 MB, so the weighted file is over 4 MB while the weightless one holds only the graph's structure.
        Assert.True(full.Length > 4_000_000, $"{full.Length}");
        Assert.True(light.Length < full.Length / 20, $"{light.Length} vs {full.Length}");
    }

    private static byte[] WithMetadata(params (string Name, string Content)[] entries)
    {
        TfliteModel m = GraphExporter.ToModel(ExampleModels.KwsDsCnnInt8(), 3);
        var buffers = m.Buffers.ToList();
        var metadata = new List<MetadataEntry>();
        foreach ((string name, string content) in entries)
        {
            metadata.Add(new MetadataEntry(name, (uint)buffers.Count));
            buffers.Add(new TfliteBuffer(Encoding.ASCII.GetBytes(content), 0, 0));
        }
        return TfliteWriter.Write(new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = m.SourceName,
            Version = m.Version,
            Description = m.Description,
            OperatorCodes = m.OperatorCodes,
            Subgraphs = m.Subgraphs,
            Buffers = buffers,
            SignatureDefs = m.SignatureDefs,
            Metadata = metadata,
        });
    }

    [Theory]
    [InlineData("some", "100000000", "bad.tflite: metadata 'perfsage_weights' must hold 'none'")]
    [InlineData("none", null, "bad.tflite: a weightless model needs metadata 'perfsage_file_bytes' holding its size with weights in bytes")]
    [InlineData("none", "-5", "bad.tflite: a weightless model needs metadata 'perfsage_file_bytes' holding its size with weights in bytes")]
    [InlineData("none", "7", "bad.tflite: metadata 'perfsage_file_bytes' declares 7 bytes with weights; it must lie between 8 and 2147483647")]
    [InlineData("none", "99999999999", "bad.tflite: metadata 'perfsage_file_bytes' declares 99999999999 bytes with weights; it must lie between 8 and 2147483647")]
    public void Malformed_markers_are_refused_naming_the_file(string marker, string? size, string message)
    {
        byte[] bytes = size is null ? WithMetadata(("perfsage_weights", marker)) : WithMetadata(("perfsage_weights", marker), ("perfsage_file_bytes", size));
        var e = Assert.Throws<TfliteFormatException>(() => TfliteReader.Parse(bytes, "bad.tflite"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_metadata_leaves_a_model_with_weights()
    {
        TfliteModel m = TfliteReader.Parse(WithMetadata(("min_runtime_version", "1.5.0")), "ok.tflite");
        Assert.False(m.IsWeightless);
        Assert.False(OpGraph.FromModel(m).IsWeightless);
    }

    [Fact]
    public void A_weightless_build_records_it_and_labels_like_a_weighted_one()
    {
        using var dir = new ScratchFolder();
        var request = new BuildRequest("kws", 3, ["cortex-m4", "ethos-u55-128"]) { Seed = 5 };
        DatasetBuilder.Build(request, dir.Sub("full"), new BuildOptions { Jobs = 1 });
        DatasetBuilder.Build(request with { Weightless = true }, dir.Sub("light"), new BuildOptions { Jobs = 1 });
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Sub("full"), "labels.csv")), File.ReadAllBytes(Path.Combine(dir.Sub("light"), "labels.csv")));
        DatasetFolder light = DatasetFolder.Load(dir.Sub("light"), verifyGraphs: true);
        Assert.Equal("none", Assert.Single(light.Manifest.Builds).Weights);
        Assert.Null(Assert.Single(DatasetFolder.Load(dir.Sub("full")).Manifest.Builds).Weights);
        Assert.All(light.Models, m => Assert.True(TfliteReader.ReadFile(m.GraphPath).IsWeightless));
    }
}
