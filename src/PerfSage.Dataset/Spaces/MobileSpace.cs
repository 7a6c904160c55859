using System.Globalization;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Mobile vision: MobileNetV2-like (Sandler et al., arXiv 1801.04381) and MobileNetV3-like (Howard et al.,
/// arXiv 1905.02244) networks at 128–224 px, 1000 classes, in the element types phones receive: float32,
/// float16 weights expanded by DEQUANTIZE ops (TFLite's float16 quantisation, what the GPU delegate is
/// usually given), and int8.
/// <list type="bullet">
/// <item><c>v2</c>: stem 3×3/2 of 32·w, the seven MobileNetV2 stages (16, 24, 32, 64, 96, 160, 320; strides
/// 1, 2, 2, 2, 1, 2, 1) of inverted residuals, ReLU6, squeeze-excite rare (p 0.1 per stage), head 1×1 conv to
/// max(1280, 1280·w), pooling, FULLY_CONNECTED 1000, SOFTMAX.</item>
/// <item><c>v3</c>: stem 3×3/2 of 16·w with hard-swish, six MobileNetV3-Large stages (16, 24, 40, 80, 112,
/// 160; strides 1, 2, 2, 2, 1, 2), ReLU in the first two stages and mostly hard-swish after, squeeze-excite
/// (MEAN → 1×1 conv/FC → ReLU → 1×1 conv/FC → hard-sigmoid/logistic → MUL) with p 0.5 per stage, head 1×1 conv
/// to 6× the last width + hard-swish, MEAN, 1×1 conv to 1024/1280 + hard-swish, 1×1 conv to 1000, RESHAPE,
/// SOFTMAX.</item>
/// </list>
/// Meant for mobile GPUs.
/// </summary>
public sealed class MobileSpace : ISearchSpace
{
    private const int Classes = 1000;

    private static readonly int[] V2Channels = [16, 24, 32, 64, 96, 160, 320];
    private static readonly int[] V2Strides = [1, 2, 2, 2, 1, 2, 1];
    private static readonly int[] V3Channels = [16, 24, 40, 80, 112, 160];
    private static readonly int[] V3Strides = [1, 2, 2, 2, 1, 2];

    private static readonly string[] Styles = ["v2", "v3"];
    private static readonly string[] DTypes = ["float32", "float16", "int8"];
    private static readonly double[] DTypeWeights = [0.4, 0.4, 0.2];
    private static readonly string[] Resolutions = ["128", "160", "192", "224"];
    private static readonly string[] Widths = ["0.35", "0.5", "0.75", "1.0", "1.25", "1.4"];
    private static readonly string[] Kernels = ["3", "5"];
    private static readonly string[] Flags = ["0", "1"];
    private static readonly string[] ActivationChoices = ["relu", "relu6", "hard_swish"];
    private static readonly string[] Gates = ["hard_sigmoid", "logistic"];
    private static readonly double[] GateWeights = [0.8, 0.2];
    private static readonly string[] SeLayers = ["conv", "fc"];
    private static readonly double[] SeLayerWeights = [0.8, 0.2];
    private static readonly string[] Poolings = ["avg", "mean"];

    public string Name => "mobile";

    public string Description => "MobileNetV2/V3-like vision networks at 128-224 px, 1000 classes, float32 / float16 / int8";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("style", Styles, "MobileNetV2 or MobileNetV3-Large skeleton"),
        Knob.Choice("dtype", DTypes, "element types: float32, float16 weights + DEQUANTIZE, int8 (p 0.4 / 0.4 / 0.2)"),
        Knob.Choice("resolution", Resolutions, "input height and width (3 channels)"),
        Knob.Choice("width_mult", Widths, "multiplies every width (rounded to multiples of 8)"),
        Knob.Numeric("blocks", 1, 4, "inverted residual blocks per stage (the first stage 1–2)", isList: true),
        Knob.Numeric("expansion", 1, 6, "expansion ratio per stage: 1 in the first stage, 2–6 after", isList: true),
        Knob.Choice("kernels", Kernels, "depthwise kernel size per stage", isList: true),
        Knob.Choice("se", Flags, "squeeze-excite in the stage's blocks (v2 p 0.1, v3 p 0.5)", isList: true),
        Knob.Choice("activations", ActivationChoices, "activation per stage (v2: relu6; v3: relu in stages 1–2, " +
            "then hard_swish with p 0.8, else relu)", isList: true),
        Knob.Choice("se_gate", Gates, "squeeze-excite gate (p 0.8 / 0.2)"),
        Knob.Choice("se_layer", SeLayers, "squeeze-excite layers: 1x1 convolutions or fully connected (p 0.8 / 0.2)"),
        Knob.Numeric("head_channels", 1024, 1792, "last feature width (v2: max(1280, 1280·w); v3: 1024 or 1280)", step: 8),
        Knob.Choice("pooling", Poolings, "v2 pooling: AVERAGE_POOL_2D + RESHAPE, or MEAN (v3 always MEAN)"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["mobile-gpu"];

    public MemoryBudget Budget => MemoryBudget.MobileGpu;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private static Draft Draw(SampleRng rng, string id)
    {
        bool v3 = rng.Chance(0.5);
        string dtype = rng.Pick(DTypes, DTypeWeights);
        string resolution = rng.Pick(Resolutions);
        string width = rng.Pick(Widths);
        int[] baseChannels = v3 ? V3Channels : V2Channels;
        int[] baseStrides = v3 ? V3Strides : V2Strides;
        int stages = baseChannels.Length;
        var blocks = new int[stages];
        var expansion = new int[stages];
        var kernels = new int[stages];
        var se = new int[stages];
        var acts = new Activation[stages];
        for (int s = 0; s < stages; s++)
        {
            blocks[s] = s == 0 ? rng.Next(1, 2) : rng.Next(1, 4);
            expansion[s] = s == 0 ? 1 : rng.Next(2, 6);
            kernels[s] = rng.Chance(v3 ? 0.5 : 0.2) ? 5 : 3;
            se[s] = rng.Chance(v3 ? 0.5 : 0.1) ? 1 : 0;
            acts[s] = !v3 ? Activation.Relu6
                : s < 2 || !rng.Chance(0.8) ? Activation.Relu
                : Activation.HardSwish;
        }
        string gate = rng.Pick(Gates, GateWeights);
        string seLayer = rng.Pick(SeLayers, SeLayerWeights);
        double w = SpaceParts.Decimal(width);
        int headChannels = v3 ? (rng.Chance(0.5) ? 1024 : 1280) : Math.Max(1280, SpaceParts.MakeDivisible(1280 * w));
        string pooling = v3 ? "mean" : rng.Pick(Poolings);

        var knobs = new KnobValues();
        knobs.Set("style", v3 ? "v3" : "v2");
        knobs.Set("dtype", dtype);
        knobs.Set("resolution", resolution);
        knobs.Set("width_mult", width);
        knobs.SetList("blocks", blocks);
        knobs.SetList("expansion", expansion);
        knobs.SetList("kernels", kernels);
        knobs.SetList("se", se);
        knobs.SetList("activations", acts.Select(Activations.Name));
        knobs.Set("se_gate", gate);
        knobs.Set("se_layer", seLayer);
        knobs.Set("head_channels", headChannels);
        knobs.Set("pooling", pooling);

        DTypeVariant variant = dtype switch
        {
            "float32" => DTypeVariant.Float32,
            "float16" => DTypeVariant.Float16,
            _ => DTypeVariant.Int8,
        };
        int r = int.Parse(resolution, CultureInfo.InvariantCulture);
        var excite = new SqueezeExcite(seLayer, gate);
        var graph = NetBuilder.Build(id, variant, floatIo: false, n =>
        {
            int x = n.Input(1, r, r, 3);
            x = n.Conv(x, SpaceParts.MakeDivisible((v3 ? 16 : 32) * w), 3, 3, 2, 2,
                v3 ? Activation.HardSwish : Activation.Relu6);
            for (int s = 0; s < stages; s++)
            {
                int channels = SpaceParts.MakeDivisible(baseChannels[s] * w);
                for (int b = 0; b < blocks[s]; b++)
                {
                    x = SpaceParts.InvertedResidual(n, x, channels, expansion[s], kernels[s], b == 0 ? baseStrides[s] : 1,
                        acts[s], se[s] == 1 ? excite : null);
                }
            }
            if (v3)
            {
                x = n.Conv(x, 6 * n.Shape(x)[3], 1, 1, 1, 1, Activation.HardSwish);
                x = n.Mean(x, [1, 2], keepDims: true);
                x = n.Conv(x, headChannels, 1, 1, 1, 1, Activation.HardSwish);
                x = n.Conv(x, Classes, 1, 1, 1, 1, Activation.None);
                x = n.Softmax(n.Reshape(x, 1, Classes));
            }
            else
            {
                x = n.Conv(x, headChannels, 1, 1, 1, 1, Activation.Relu6);
                x = SpaceParts.Classifier(n, x, pooling, Classes);
            }
            n.Output(x);
        });
        return new Draft(graph, knobs, v3 ? "mobile-v3" : "mobile-v2", DTypeVariants.Name(variant));
    }
}
