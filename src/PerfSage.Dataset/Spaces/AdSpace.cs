namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Anomaly detection: fully connected autoencoders like the MLPerf Tiny AD reference (DCASE 2020 ToyCar):
/// input 640 = 5 frames × 128 log-mel bins, an encoder of 1–5 hidden FULLY_CONNECTED layers narrowing
/// towards an 8–16 wide bottleneck, a mirrored decoder and a linear 640-wide output; BN folded, activation
/// fused. int8. Meant for Cortex-M and Ethos-U boards.
/// </summary>
public sealed class AdSpace : ISearchSpace
{
    private const int Features = 640;

    private static readonly string[] ActivationChoices = ["relu", "relu6"];
    private static readonly string[] Ios = ["int", "float"];
    private static readonly double[] IoWeights = [0.75, 0.25];

    public string Name => "ad";

    public string Description => "fully connected autoencoders on 640 = 5x128 log-mel inputs, int8";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("dtype", ["int8"], "element types"),
        Knob.Choice("io", Ios, "graph input/output: integer, or float behind QUANTIZE/DEQUANTIZE (p 0.75 / 0.25)"),
        Knob.Numeric("depth", 1, 5, "hidden layers of the encoder (the decoder mirrors them)"),
        Knob.Numeric("widths", 32, 512, "encoder hidden widths, log-uniform, sorted widest first; the decoder " +
            "uses them in reverse", step: 32, isList: true),
        Knob.Numeric("bottleneck", 8, 16, "bottleneck width"),
        Knob.Choice("activation", ActivationChoices, "fused activation of every hidden layer and the bottleneck"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["cortex-m", "ethos-u"];

    public MemoryBudget Budget => MemoryBudget.Microcontroller;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private static Draft Draw(SampleRng rng, string id)
    {
        string io = rng.Pick(Ios, IoWeights);
        int depth = rng.Next(1, 5);
        var widths = new int[depth];
        for (int i = 0; i < depth; i++)
        {
            widths[i] = rng.NextLogMultiple(32, 512, 32);
        }
        Array.Sort(widths);
        Array.Reverse(widths);
        int bottleneck = rng.Next(8, 16);
        string actName = rng.Pick(ActivationChoices);

        var knobs = new KnobValues();
        knobs.Set("dtype", "int8");
        knobs.Set("io", io);
        knobs.Set("depth", depth);
        knobs.SetList("widths", widths);
        knobs.Set("bottleneck", bottleneck);
        knobs.Set("activation", actName);

        Activation act = actName == "relu" ? Activation.Relu : Activation.Relu6;
        var graph = NetBuilder.Build(id, DTypeVariant.Int8, io == "float", n =>
        {
            int x = n.Input(1, Features);
            foreach (int w in widths)
            {
                x = n.FullyConnected(x, w, act);
            }
            x = n.FullyConnected(x, bottleneck, act);
            for (int i = depth - 1; i >= 0; i--)
            {
                x = n.FullyConnected(x, widths[i], act);
            }
            n.Output(n.FullyConnected(x, Features, Activation.None));
        });
        return new Draft(graph, knobs, "ad-fcae", "int8");
    }
}
