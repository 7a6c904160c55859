using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>The input setting an FBNet network is built for.</summary>
public enum FbnetInput
{
    /// <summary>32×32×3 input, stem stride 1, head 1504 channels, 100 classes (the setting of the published
    /// latency tables: HELP, HW-NAS-Bench).</summary>
    Cifar100,

    /// <summary>224×224×3 input, stem stride 2, stage 1 stride 2, head 1984 channels, 1000 classes (FBNet's own
    /// setting).</summary>
    ImageNet,
}

/// <summary>Names of <see cref="FbnetInput"/> as <c>import-fbnet --input</c> spells them.</summary>
public static class FbnetInputs
{
    /// <summary><c>cifar100</c> or <c>imagenet</c>.</summary>
    public static string Name(FbnetInput input) => input switch
    {
        FbnetInput.Cifar100 => "cifar100",
        FbnetInput.ImageNet => "imagenet",
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, null),
    };

    /// <summary>The setting named <paramref name="name"/>, or null.</summary>
    public static FbnetInput? Parse(string name) => name switch
    {
        "cifar100" => FbnetInput.Cifar100,
        "imagenet" => FbnetInput.ImageNet,
        _ => null,
    };
}

/// <summary>
/// Builds the deployed TFLite graph of an FBNet architecture, as ../shared/data/fbnet/README.md describes the
/// network (after Wu et al., "FBNet", CVPR 2019, table 1, with the CIFAR-100 strides of HW-NAS-Bench):
/// <list type="bullet">
/// <item>stem: 3×3 CONV_2D 3 → 16 (BN folded, ReLU fused);</item>
/// <item>seven stages of 1, 4, 4, 4, 4, 4, 1 searchable layers with 16, 24, 32, 64, 112, 184, 352 output
/// channels; each stage's first layer has the stage's stride (CIFAR-100: 1, 1, 2, 2, 1, 2, 1; ImageNet: 1, 2,
/// 2, 2, 1, 2, 1), the others stride 1;</item>
/// <item>a block (k, e, g) from C_in to C_out with stride s: 1×1 CONV_2D C_in → e·C_in in g groups (ReLU
/// fused); for g &gt; 1 a channel shuffle RESHAPE [N,H,W,g,e·C_in/g] → TRANSPOSE (0,1,2,4,3) → RESHAPE
/// [N,H,W,e·C_in]; k×k DEPTHWISE_CONV_2D with stride s (ReLU fused); 1×1 CONV_2D e·C_in → C_out in g groups
/// (no activation); ADD of the block input when C_in = C_out and s = 1;</item>
/// <item>skip: no operator when C_in = C_out and s = 1, otherwise a 1×1 CONV_2D C_in → C_out with stride s
/// (ReLU fused);</item>
/// <item>head: 1×1 CONV_2D 352 → 1504 (ImageNet 1984, ReLU fused), MEAN over height and width (global average
/// pooling), FULLY_CONNECTED to the classes. No softmax: the README's network ends at the classifier.</item>
/// </list>
/// Batch norm folds into the preceding convolution, as the TFLite converter does. Convolutions pad SAME, so a
/// stride-2 layer gives ⌈H/2⌉. The batch size is the input's first dimension (a latency table's column
/// <c>&lt;device&gt;_&lt;N&gt;</c> measured at batch N).
/// </summary>
public static class FbnetNetwork
{
    private static readonly int[] StageLayers = [1, 4, 4, 4, 4, 4, 1];
    private static readonly int[] StageChannels = [16, 24, 32, 64, 112, 184, 352];
    private static readonly int[] CifarStrides = [1, 1, 2, 2, 1, 2, 1];
    private static readonly int[] ImageNetStrides = [1, 2, 2, 2, 1, 2, 1];

    /// <summary>Stem output channels.</summary>
    public const int StemChannels = 16;

    /// <summary>The graph of <paramref name="arch"/> for <paramref name="input"/> at batch
    /// <paramref name="batch"/>, float32 or int8.</summary>
    public static OpGraph Build(FbnetArch arch, FbnetInput input, int batch = 1, TensorType dtype = TensorType.Float32,
        string name = "fbnet")
    {
        ArgumentNullException.ThrowIfNull(arch);
        if (batch is < 1 or > DeviceColumns.MaxBatch)
        {
            throw new SearchSpaceException($"FBNet batch {batch}: must be 1..{DeviceColumns.MaxBatch}");
        }
        DTypeVariant variant = dtype switch
        {
            TensorType.Float32 => DTypeVariant.Float32,
            TensorType.Int8 => DTypeVariant.Int8,
            _ => throw new SearchSpaceException($"FBNet graphs are built as float32 or int8, not {TensorTypes.Name(dtype)}"),
        };
        bool imageNet = input == FbnetInput.ImageNet;
        int resolution = imageNet ? 224 : 32;
        int headChannels = imageNet ? 1984 : 1504;
        int classes = imageNet ? 1000 : 100;
        int[] strides = imageNet ? ImageNetStrides : CifarStrides;
        return NetBuilder.Build(name, variant, false, n =>
        {
            int x = n.Input(batch, resolution, resolution, 3);
            x = n.Conv(x, StemChannels, 3, 3, imageNet ? 2 : 1, imageNet ? 2 : 1, Activation.Relu);
            int layer = 0;
            for (int stage = 0; stage < StageLayers.Length; stage++)
            {
                for (int i = 0; i < StageLayers[stage]; i++)
                {
                    x = Block(n, x, arch.Blocks[layer++], StageChannels[stage], i == 0 ? strides[stage] : 1);
                }
            }
            x = n.Conv(x, headChannels, 1, 1, 1, 1, Activation.Relu);
            x = n.Mean(x, [1, 2], keepDims: false);
            n.Output(n.FullyConnected(x, classes, Activation.None));
        });
    }

    private static int Block(NetBuilder n, int x, FbnetBlock block, int outChannels, int stride)
    {
        int[] shape = n.Shape(x);
        int inChannels = shape[3];
        if (block == FbnetBlock.Skip)
        {
            return inChannels == outChannels && stride == 1 ? x : n.Conv(x, outChannels, 1, 1, stride, stride, Activation.Relu);
        }
        int k = FbnetBlocks.Kernel(block);
        int groups = FbnetBlocks.Groups(block);
        int mid = FbnetBlocks.Expansion(block) * inChannels;
        int y = n.Conv(x, mid, 1, 1, 1, 1, Activation.Relu, groups: groups);
        if (groups > 1)
        {
            int[] s = n.Shape(y);
            y = n.Reshape(y, s[0], s[1], s[2], groups, mid / groups);
            y = n.Transpose(y, 0, 1, 2, 4, 3);
            y = n.Reshape(y, s[0], s[1], s[2], mid);
        }
        y = n.Depthwise(y, k, k, stride, stride, Activation.Relu);
        y = n.Conv(y, outChannels, 1, 1, 1, 1, Activation.None, groups: groups);
        return inChannels == outChannels && stride == 1 ? n.Add(y, x) : y;
    }
}
