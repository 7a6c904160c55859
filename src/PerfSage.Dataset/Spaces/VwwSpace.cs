using System.Globalization;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Visual wake words: MobileNet-like networks of inverted residual blocks (MobileNetV2 skeleton, with the
/// MobileNetV3 squeeze-excite option) on 64–128 px RGB, 2 classes, int8. A 3×3 stride-2 stem, 5–7 of
/// MobileNetV2's stages (base widths 16, 24, 32, 64, 96, 160, 320, strides 1, 2, 2, 2, 1, 2, 1) scaled by
/// the width multiplier, an optional 1×1 head convolution, pooling, FULLY_CONNECTED 2, SOFTMAX.
/// Meant for Cortex-M and Ethos-U boards (the MLPerf Tiny VWW task).
/// </summary>
public sealed class VwwSpace : ISearchSpace
{
    private const int Classes = 2;
    private const int MaxStages = 7;

    private static readonly int[] BaseChannels = [16, 24, 32, 64, 96, 160, 320];
    private static readonly int[] BaseStrides = [1, 2, 2, 2, 1, 2, 1];
    private static readonly string[] Resolutions = ["64", "80", "96", "112", "128"];
    private static readonly string[] Widths = ["0.25", "0.35", "0.5", "0.75", "1.0"];
    private static readonly string[] Kernels = ["3", "5"];
    private static readonly string[] Flags = ["0", "1"];
    private static readonly string[] Gates = ["logistic", "hard_sigmoid"];
    private static readonly string[] SeLayers = ["conv", "fc"];
    private static readonly string[] ActivationChoices = ["relu", "relu6"];
    private static readonly string[] HeadChannels = ["0", "256", "512", "1024", "1280"];
    private static readonly string[] Poolings = ["avg", "mean"];
    private static readonly string[] Ios = ["int", "float"];
    private static readonly double[] IoWeights = [0.75, 0.25];

    public string Name => "vww";

    public string Description => "MobileNet-like inverted residual networks on 64-128 px RGB, 2 classes, int8";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("dtype", ["int8"], "element types"),
        Knob.Choice("io", Ios, "graph input/output: integer, or float behind QUANTIZE/DEQUANTIZE (p 0.75 / 0.25)"),
        Knob.Choice("resolution", Resolutions, "input height and width (3 channels)"),
        Knob.Choice("width_mult", Widths, "multiplies every width (rounded to multiples of 8, at least 8)"),
        Knob.Numeric("stages", 5, MaxStages, "how many of MobileNetV2's 7 stages"),
        Knob.Numeric("blocks", 1, 4, "inverted residual blocks per stage (the first stage 1–2)", isList: true),
        Knob.Numeric("expansion", 1, 6, "expansion ratio per stage", isList: true),
        Knob.Choice("kernels", Kernels, "depthwise kernel size per stage", isList: true),
        Knob.Choice("se", Flags, "squeeze-excite in the stage's blocks (p 0.25)", isList: true),
        Knob.Choice("se_gate", Gates, "squeeze-excite gate"),
        Knob.Choice("se_layer", SeLayers, "squeeze-excite layers: 1x1 convolutions or fully connected"),
        Knob.Choice("activation", ActivationChoices, "activation of the stem, expansions and depthwise convolutions"),
        Knob.Choice("head_channels", HeadChannels, "1x1 convolution before pooling (0: none)"),
        Knob.Choice("pooling", Poolings, "AVERAGE_POOL_2D + RESHAPE, or MEAN"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["cortex-m", "ethos-u"];

    public MemoryBudget Budget => MemoryBudget.Microcontroller;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private static Draft Draw(SampleRng rng, string id)
    {
        string io = rng.Pick(Ios, IoWeights);
        string resolution = rng.Pick(Resolutions);
        string width = rng.Pick(Widths);
        int stages = rng.Next(5, MaxStages);
        var blocks = new int[stages];
        var expansion = new int[stages];
        var kernels = new int[stages];
        var se = new int[stages];
        for (int s = 0; s < stages; s++)
        {
            blocks[s] = s == 0 ? rng.Next(1, 2) : rng.Next(1, 4);
            expansion[s] = rng.Next(1, 6);
            kernels[s] = rng.Chance(0.5) ? 3 : 5;
            se[s] = rng.Chance(0.25) ? 1 : 0;
        }
        string gate = rng.Pick(Gates);
        string seLayer = rng.Pick(SeLayers);
        string actName = rng.Pick(ActivationChoices);
        string head = rng.Pick(HeadChannels);
        string pooling = rng.Pick(Poolings);

        var knobs = new KnobValues();
        knobs.Set("dtype", "int8");
        knobs.Set("io", io);
        knobs.Set("resolution", resolution);
        knobs.Set("width_mult", width);
        knobs.Set("stages", stages);
        knobs.SetList("blocks", blocks);
        knobs.SetList("expansion", expansion);
        knobs.SetList("kernels", kernels);
        knobs.SetList("se", se);
        knobs.Set("se_gate", gate);
        knobs.Set("se_layer", seLayer);
        knobs.Set("activation", actName);
        knobs.Set("head_channels", head);
        knobs.Set("pooling", pooling);

        int r = int.Parse(resolution, CultureInfo.InvariantCulture);
        double w = SpaceParts.Decimal(width);
        int headChannels = int.Parse(head, CultureInfo.InvariantCulture);
        Activation act = actName == "relu" ? Activation.Relu : Activation.Relu6;
        var excite = new SqueezeExcite(seLayer, gate);
        var graph = NetBuilder.Build(id, DTypeVariant.Int8, io == "float", n =>
        {
            int x = n.Input(1, r, r, 3);
            x = n.Conv(x, SpaceParts.MakeDivisible(32 * w), 3, 3, 2, 2, act);
            for (int s = 0; s < stages; s++)
            {
                int channels = SpaceParts.MakeDivisible(BaseChannels[s] * w);
                for (int b = 0; b < blocks[s]; b++)
                {
                    x = SpaceParts.InvertedResidual(n, x, channels, expansion[s], kernels[s], b == 0 ? BaseStrides[s] : 1,
                        act, se[s] == 1 ? excite : null);
                }
            }
            if (headChannels > 0)
            {
                x = n.Conv(x, headChannels, 1, 1, 1, 1, act);
            }
            n.Output(SpaceParts.Classifier(n, x, pooling, Classes));
        });
        return new Draft(graph, knobs, "vww-mbv2", "int8");
    }
}
