using System.Globalization;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Image classification: ResNet-like networks (He et al., arXiv 1512.03385; the MLPerf Tiny IC reference is
/// ResNet-8) on 32×32×3 (CIFAR-10), 10 classes, int8. A 3×3 stem, 2–4 stages of basic residual blocks (two
/// k×k convolutions, BN folded; the first block of every stage after the first has stride 2), shortcuts that
/// are identities or, where the shape changes, 1×1 convolutions, a residual ADD with the activation fused,
/// pooling, FULLY_CONNECTED 10, SOFTMAX. Meant for Cortex-M and Ethos-U boards.
/// </summary>
public sealed class IcSpace : ISearchSpace
{
    private const int Classes = 10;

    private static readonly string[] Kernels = ["3", "5"];
    private static readonly string[] ActivationChoices = ["relu", "relu6"];
    private static readonly string[] Poolings = ["avg", "mean"];
    private static readonly string[] Ios = ["int", "float"];
    private static readonly double[] IoWeights = [0.75, 0.25];

    public string Name => "ic";

    public string Description => "ResNet-like image classification on 32x32x3, 10 classes, int8";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("dtype", ["int8"], "element types"),
        Knob.Choice("io", Ios, "graph input/output: integer, or float behind QUANTIZE/DEQUANTIZE (p 0.75 / 0.25)"),
        Knob.Numeric("stem_channels", 8, 32, "3x3 stem convolution width", step: 8),
        Knob.Numeric("stages", 2, 4, "residual stages (resolution 32, 16, 8, 4)"),
        Knob.Numeric("blocks", 1, 3, "basic blocks per stage", isList: true),
        Knob.Numeric("widths", 8, 128, "channels per stage: stage s draws log-uniformly from 8·2^s–32·2^s " +
            "(at most 128), never narrower than the stage before", step: 8, isList: true),
        Knob.Choice("kernels", Kernels, "convolution kernel size per stage", isList: true),
        Knob.Choice("activation", ActivationChoices, "fused activation of the first convolution of a block and of the ADD"),
        Knob.Choice("pooling", Poolings, "AVERAGE_POOL_2D + RESHAPE, or MEAN"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["cortex-m", "ethos-u"];

    public MemoryBudget Budget => MemoryBudget.Microcontroller;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private static Draft Draw(SampleRng rng, string id)
    {
        string io = rng.Pick(Ios, IoWeights);
        int stem = rng.NextMultiple(8, 32, 8);
        int stages = rng.Next(2, 4);
        var blocks = new int[stages];
        var widths = new int[stages];
        var kernels = new int[stages];
        for (int s = 0; s < stages; s++)
        {
            blocks[s] = rng.Next(1, 3);
            int lo = 8 << s, hi = Math.Min(128, 32 << s);
            widths[s] = Math.Max(rng.NextLogMultiple(lo, hi, 8), s > 0 ? widths[s - 1] : 0);
            kernels[s] = rng.Chance(0.75) ? 3 : 5;
        }
        string actName = rng.Pick(ActivationChoices);
        string pooling = rng.Pick(Poolings);

        var knobs = new KnobValues();
        knobs.Set("dtype", "int8");
        knobs.Set("io", io);
        knobs.Set("stem_channels", stem);
        knobs.Set("stages", stages);
        knobs.SetList("blocks", blocks);
        knobs.SetList("widths", widths);
        knobs.SetList("kernels", kernels.Select(k => k.ToString(CultureInfo.InvariantCulture)));
        knobs.Set("activation", actName);
        knobs.Set("pooling", pooling);

        Activation act = actName == "relu" ? Activation.Relu : Activation.Relu6;
        var graph = NetBuilder.Build(id, DTypeVariant.Int8, io == "float", n =>
        {
            int x = n.Input(1, 32, 32, 3);
            x = n.Conv(x, stem, 3, 3, 1, 1, act);
            for (int s = 0; s < stages; s++)
            {
                for (int b = 0; b < blocks[s]; b++)
                {
                    int stride = s > 0 && b == 0 ? 2 : 1;
                    int k = kernels[s];
                    int y = n.Conv(x, widths[s], k, k, stride, stride, act);
                    y = n.Conv(y, widths[s], k, k, 1, 1, Activation.None);
                    int shortcut = stride == 1 && n.Shape(x)[3] == widths[s]
                        ? x
                        : n.Conv(x, widths[s], 1, 1, stride, stride, Activation.None);
                    x = n.Add(y, shortcut, act);
                }
            }
            n.Output(SpaceParts.Classifier(n, x, pooling, Classes));
        });
        return new Draft(graph, knobs, "ic-resnet", "int8");
    }
}
