using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>FBNet graphs checked against MACs and operator counts worked out by hand from the network of
/// ../shared/data/fbnet/README.md (MACs = output elements × kernel taps × filter depth; SAME padding, so a
/// stride-2 layer halves H and W).</summary>
public class FbnetNetworkTests
{
    // Outside the searchable layers (CIFAR-100): stem 3×3 conv 3→16 at 32×32; head 1×1 conv 352→1504 at 4×4;
    // MEAN (no MACs); FULLY_CONNECTED 1504→100.
    private const long StemMacs = 32L * 32 * 16 * 3 * 3 * 3;   // 442,368
    private const long HeadMacs = 4L * 4 * 1504 * 352;         // 8,470,528
    private const long FcMacs = 1504L * 100;                   // 150,400

    private const string Published0 =
        "k5_e6|skip|k3_e1_g2|skip|k5_e1|skip|skip|skip|k5_e6|k5_e1|k3_e1_g2|k5_e1|k5_e6|k3_e6|k3_e3|k5_e6|k3_e6|k3_e3|k5_e1|k3_e3|k5_e1|k5_e1_g2";

    private static string Repeat(string block) => string.Join('|', Enumerable.Repeat(block, FbnetArch.LayerCount));

    [Fact]
    public void All_skip_network_is_the_stem_six_width_changing_convolutions_and_the_head()
    {
        OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(Repeat("skip")), FbnetInput.Cifar100);
        // A skip is the identity where width and stride stay, so only each stage's first layer (except stage 0,
        // 16→16 at stride 1) is a 1×1 conv: 16→24 @32², 24→32 /2 → 16², 32→64 /2 → 8², 64→112 @8²,
        // 112→184 /2 → 4², 184→352 @4².
        long skips = 32L * 32 * 24 * 16 + 16L * 16 * 32 * 24 + 8L * 8 * 64 * 32 + 8L * 8 * 112 * 64
            + 4L * 4 * 184 * 112 + 4L * 4 * 352 * 184;                // 2,545,664
        Assert.Equal(StemMacs + skips + HeadMacs + FcMacs, g.TotalMacs);
        Assert.Equal(11_608_960, g.TotalMacs);
        Assert.Equal(1 + 6 + 1, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(1, g.CountOf(BuiltinOperator.MEAN));
        Assert.Equal(1, g.CountOf(BuiltinOperator.FULLY_CONNECTED));
        Assert.Equal(10, g.Nodes.Length);
        Assert.Equal([1, 32, 32, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
        Assert.Equal([1, 100], g.Tensors[g.Outputs[0]].Shape.ToArray());
    }

    [Fact]
    public void All_k3_e1_network_counts_worked_by_hand()
    {
        OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(Repeat("k3_e1")), FbnetInput.Cifar100);
        // Block k3_e1 from Ci to Co, stride s, input H×H, output Ho×Ho: 1×1 conv H²·Ci·Ci + 3×3 depthwise
        // Ho²·Ci·9 + 1×1 conv Ho²·Co·Ci, and an ADD when Ci = Co and s = 1.
        long stage0 = 1024L * (256 + 144 + 256);                              // 16→16 @32: 671,744
        long stage1 = 1024L * (256 + 144 + 384) + 3 * 1024L * (576 + 216 + 576); // 16→24, 3 × 24→24: 5,005,312
        long stage2 = (1024L * 576 + 256 * 216 + 256 * 768) + 3 * 256L * (1024 + 288 + 1024); // 2,635,776
        long stage3 = (256L * 1024 + 64 * 288 + 64 * 2048) + 3 * 64L * (4096 + 576 + 4096);   // 2,095,104
        long stage4 = 64L * (4096 + 576 + 7168) + 3 * 64L * (12544 + 1008 + 12544);           // 5,768,192
        long stage5 = (64L * 12544 + 16 * 1008 + 16 * 20608) + 3 * 16L * (33856 + 1656 + 33856); // 4,478,336
        long stage6 = 16L * (33856 + 1656 + 64768);                                            // 1,604,480
        Assert.Equal(StemMacs + stage0 + stage1 + stage2 + stage3 + stage4 + stage5 + stage6 + HeadMacs + FcMacs, g.TotalMacs);
        Assert.Equal(31_322_240, g.TotalMacs);
        Assert.Equal(1 + 2 * 22 + 1, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(22, g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
        // Residual ADDs: every layer but each stage's first, except stage 0 (16→16 at stride 1) and stage 4's
        // first is 64→112, so 22 − 7 + 1 = 16.
        Assert.Equal(16, g.CountOf(BuiltinOperator.ADD));
        Assert.Equal(86, g.Nodes.Length);
    }

    [Fact]
    public void Published_architecture_0_with_grouped_convolutions_and_shuffles()
    {
        OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(Published0), FbnetInput.Cifar100);
        // 17 non-skip blocks (2 convs + 1 depthwise each), skips that change width: layers 1 (16→24) and 5
        // (24→32 /2); three g2 blocks each add RESHAPE, TRANSPOSE, RESHAPE. Residual ADDs: non-skip blocks whose
        // width and stride stay: layer 0 (16→16) and 12 more (layers 2, 4, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20).
        Assert.Equal(1 + 2 * 17 + 2 + 1, g.CountOf(BuiltinOperator.CONV_2D));
        Assert.Equal(17, g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
        Assert.Equal(3, g.CountOf(BuiltinOperator.TRANSPOSE));
        Assert.Equal(6, g.CountOf(BuiltinOperator.RESHAPE));
        Assert.Equal(13, g.CountOf(BuiltinOperator.ADD));
        Assert.Equal(79, g.Nodes.Length);
        // Layer 2 (k3_e1_g2, 24→24 at 32²): grouped 1×1 convs have filter depth 24 / 2 = 12:
        // 1024·24·12 + 1024·24·9 + 1024·24·12 = 811,008 MACs.
        OpNode[] grouped = [.. g.Nodes.Where(n => n.TypeName == "CONV_2D" && g.Tensors[n.Inputs[1]].Shape[3] == 12)];
        Assert.Equal(2, grouped.Length);
        Assert.Equal(67_605_376, g.TotalMacs);
        // The shuffle: [1,32,32,24] → [1,32,32,2,12] → transposed [1,32,32,12,2] → [1,32,32,24].
        OpNode t = g.Nodes.First(n => n.TypeName == "TRANSPOSE");
        Assert.Equal([1, 32, 32, 12, 2], g.Tensors[t.Outputs[0]].Shape.ToArray());
    }

    [Fact]
    public void Batch_multiplies_every_mac_and_becomes_the_input_dimension()
    {
        FbnetArch arch = FbnetArch.Parse(Repeat("k3_e1"));
        OpGraph g = FbnetNetwork.Build(arch, FbnetInput.Cifar100, batch: 32);
        Assert.Equal(32L * 31_322_240, g.TotalMacs);
        Assert.Equal([32, 32, 32, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
        Assert.Equal([32, 100], g.Tensors[g.Outputs[0]].Shape.ToArray());
    }

    [Fact]
    public void ImageNet_setting_has_the_stride_two_stem_and_the_wider_head()
    {
        OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(Repeat("skip")), FbnetInput.ImageNet);
        // 224 → stem /2 → 112; stage strides 1, 2, 2, 2, 1, 2, 1 → 112, 56, 28, 14, 14, 7, 7.
        long macs = 112L * 112 * 16 * 27 + 56L * 56 * 24 * 16 + 28L * 28 * 32 * 24 + 14L * 14 * 64 * 32
            + 14L * 14 * 112 * 64 + 7L * 7 * 184 * 112 + 7L * 7 * 352 * 184 + 7L * 7 * 1984 * 352 + 1984L * 1000;
        Assert.Equal(macs, g.TotalMacs);
        Assert.Equal([1, 1000], g.Tensors[g.Outputs[0]].Shape.ToArray());
    }

    [Theory]
    [InlineData("k3_e1")]
    [InlineData("k3_e1|k3_e1")]
    [InlineData("k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k3_e1|k7_e1")]
    [InlineData("")]
    public void Malformed_architectures_are_refused(string text)
    {
        Assert.Throws<SearchSpaceException>(() => FbnetArch.Parse(text));
    }

    [Fact]
    public void The_written_file_reads_back_to_the_same_counts()
    {
        OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(Published0), FbnetInput.Cifar100, batch: 64);
        OpGraph read = OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(g, 7), "fbnet.tflite"));
        Assert.Equal(64L * 67_605_376, read.TotalMacs);
        Assert.Equal(79, read.Nodes.Length);
    }
}
