using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

public sealed class PropertyTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    private static readonly IEstimator[] All = Catalog.Targets.Select(Estimator.For).ToArray();

    /// <summary>A layer kind and its shape; <c>Grow</c> adds work without changing anything else.</summary>
    public sealed record Layer(int Kind, int H, int W, int C, int Out, int K, int Stride)
    {
        public OpGraph Build(TensorType type = TensorType.Int8)
        {
            var b = new OpGraphBuilder("layer");
            switch (Kind)
            {
                case 0:
                {
                    int x = b.AddInput([1, H, W, C], type);
                    b.MarkOutput(b.Conv2D(x, Out, K, K, Stride, Stride));
                    break;
                }
                case 1:
                {
                    int x = b.AddInput([1, H, W, C], type);
                    b.MarkOutput(b.DepthwiseConv2D(x, K, K, Stride, Stride));
                    break;
                }
                default:
                {
                    int x = b.AddInput([1, C * H], type);
                    b.MarkOutput(b.FullyConnected(x, Out));
                    break;
                }
            }
            return b.Build();
        }
    }

    private static Gen<Layer> LayerGen() =>
        from kind in Gen.Choose(0, 2)
        from h in Gen.Choose(1, 24)
        from w in Gen.Choose(1, 24)
        from c in Gen.Choose(1, 48)
        from o in Gen.Choose(1, 48)
        from k in Gen.Elements(1, 3, 5)
        from s in Gen.Choose(1, 2)
        select new Layer(kind, Math.Max(h, k), Math.Max(w, k), c, o, k, s);

    /// <summary>More MACs in the same shape family: more output channels (conv, FC), or a larger feature map
    /// (depthwise, and conv with the same channels).</summary>
    private static Arbitrary<(Layer Small, Layer Large)> Pairs() =>
        (from small in LayerGen()
         from more in Gen.Choose(1, 32)
         from grow in Gen.Choose(0, 1)
         select (small, small.Kind == 1 || (small.Kind == 0 && grow == 1)
             ? small with { H = small.H + more, W = small.W + more }
             : small with { Out = small.Out + more })).ToArbitrary();

    /// <summary>On Ethos-U, a convolution or depthwise whose OFM block is a single µblock in XY pays Vela's pipeline
    /// delay cycles per kernel step, which a larger output tiled in a block of several µblocks hides: the smaller layer
    /// can be the slower one in Vela's own model. Such pairs are left out for that NPU target (outputs under 4×4 on
    /// every Ethos-U target, and any smaller layer whose chosen block is one µblock, e.g. a 4×4 OFM in one 4×4 µblock on
    /// ethos-u85-2048); every other pair must be exactly monotone on every target.</summary>
    [Property(MaxTest = 150)]
    public Property More_macs_are_never_faster_on_the_same_target() =>
        Prop.ForAll(Pairs(), pair =>
        {
            OpGraph small = pair.Small.Build(), large = pair.Large.Build();
            if (large.TotalMacs <= small.TotalMacs)
            {
                return true.ToProperty();
            }
            ImmutableArray<int> outShape = small.Nodes[0].OutputShape;
            bool singleMicroblock = outShape.Length == 4 && (outShape[1] < 4 || outShape[2] < 4);
            foreach (IEstimator e in All)
            {
                if (e.Target is EthosUSpec npu && pair.Small.Kind != 2 && (singleMicroblock || PaysSingleUblockDelay(npu, small)))
                {
                    continue; // Vela's single-µblock delay: see the remark on this property
                }
                double a = e.Estimate(small).LatencyMs, b = e.Estimate(large).LatencyMs;
                if (b < a * (1 - 1e-9))
                {
                    return false.Label($"{e.Target.Id}: {pair.Small} {a} ms > {pair.Large} {b} ms");
                }
            }
            return true.ToProperty();
        });

    /// <summary>The pair this property found on ethos-u85-2048 (5×5 stride-2 conv to 37 channels): from a 7×8×16 IFM the
    /// OFM is 4×4 (SAME padding, ⌈7/2⌉ × ⌈8/2⌉), tiled as one block of the op's 4×4×16 µblock, which pays the delay;
    /// from 8×9×16 it is 4×5, tiled as one 4×8 block of two µblocks, which hides it, and is faster.</summary>
    [Fact]
    public void The_larger_u85_layer_that_is_faster_hides_the_single_microblock_delay()
    {
        var spec = (EthosUSpec)Catalog.Get("ethos-u85-2048");
        OpGraph small = new Layer(0, 7, 8, 16, 37, 5, 2).Build(), large = new Layer(0, 8, 9, 16, 37, 5, 2).Build();
        Assert.Equal([1, 4, 4, 37], small.Nodes[0].OutputShape.ToArray());
        Assert.Equal([1, 4, 5, 37], large.Nodes[0].OutputShape.ToArray());
        Assert.True(PaysSingleUblockDelay(spec, small));
        Assert.False(PaysSingleUblockDelay(spec, large));
        IEstimator e = Estimator.For(spec);
        Assert.True(e.Estimate(large).LatencyMs < e.Estimate(small).LatencyMs);
    }

    /// <summary>True when the one layer of <paramref name="g"/> is tiled on <paramref name="spec"/> in an OFM block of a
    /// single µblock in XY (the block the estimator picks).</summary>
    private static bool PaysSingleUblockDelay(EthosUSpec spec, OpGraph g)
    {
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[g.Nodes.Length], spec.Generation);
        EthosUBlockConfig block = EthosUPerformance.Estimate(spec, op, FeatureMapMemory.Sram, 0).Block;
        return EthosUPerformance.IsSingleUblockXy(spec, op, block);
    }

    /// <summary>Small random int8 networks: a chain of convolutions, depthwise, pooling, residual adds and
    /// activations, optionally ending in a fully connected classifier. With <c>npuSized</c> the
    /// layers keep at least 4×4 outputs and multiples of 8 channels (see <see cref="Ethos_u55_256_is_never_slower_than_u55_32"/>).</summary>
    private static Arbitrary<int[]> Networks() =>
        Gen.Sized(n => Gen.Choose(1, Math.Max(1, Math.Min(n, 6))))
            .SelectMany(count => Gen.ArrayOf(Gen.Choose(0, 99), count * 3 + 3))
            .ToArbitrary();

    internal static OpGraph Network(int[] code, bool npuSized = false)
    {
        var b = new OpGraphBuilder("net");
        int size = npuSized ? 8 + code[0] % 25 : 4 + code[0] % 29;
        int channels = npuSized ? 8 * (1 + code[1] % 4) : 1 + code[1] % 32;
        int x = b.AddInput([1, size, size, channels], TensorType.Int8);
        for (int i = 3; i + 2 < code.Length; i += 3)
        {
            int a = code[i + 1], c = code[i + 2];
            int[] shape = b.ShapeOf(x);
            bool canHalve = !npuSized || shape[1] >= 8;
            switch (code[i] % 6)
            {
                case 0:
                    x = b.Conv2D(x, npuSized ? 8 * (1 + a % 6) : 1 + a % 48, 1 + 2 * (c % 3), 1 + 2 * (c % 3),
                        activation: ActivationFunctionType.Relu);
                    break;
                case 1:
                    int stride = canHalve ? 1 + c % 2 : 1;
                    x = b.DepthwiseConv2D(x, 3, 3, stride, stride, activation: ActivationFunctionType.Relu6);
                    break;
                case 2:
                    x = shape[1] >= 2 && shape[2] >= 2 && canHalve ? b.MaxPool2D(x, 2, 2, 2, 2) : b.Relu(x);
                    break;
                case 3:
                    x = b.Add(x, b.Conv2D(x, shape[3], 1, 1));
                    break;
                case 4:
                    x = b.AveragePool2D(x, 1, 1, 1, 1);
                    break;
                default:
                    x = b.Relu6(x);
                    break;
            }
        }
        if (code[2] % 2 == 1)
        {
            int[] shape = b.ShapeOf(x);
            x = b.FullyConnected(b.Reshape(x, [1, shape[1] * shape[2] * shape[3]]), npuSized ? 8 * (1 + code[2] % 4) : 1 + code[2] % 16);
        }
        b.MarkOutput(x);
        return b.Build();
    }

    /// <summary>Vela's model itself makes the 256-MAC configuration a few percent slower than the 32-MAC one on
    /// degenerate layers: an output of at most 2×2 pixels is a single 2×2 µblock (Vela adds 2 delay cycles per
    /// kernel step), and channel counts pad to 8 instead of 4. The property is therefore checked on networks whose
    /// layers keep at least 4×4 outputs and multiples of 8 channels, as NPU-targeted models do.</summary>
    [Property(MaxTest = 150)]
    public Property Ethos_u55_256_is_never_slower_than_u55_32() =>
        Prop.ForAll(Networks(), code =>
        {
            OpGraph g = Network(code, npuSized: true);
            double big = Estimator.For(Catalog.Get("ethos-u55-256")).Estimate(g).LatencyMs;
            double small = Estimator.For(Catalog.Get("ethos-u55-32")).Estimate(g).LatencyMs;
            return (big <= small * (1 + 1e-9)).Label($"u55-256 {big} ms > u55-32 {small} ms on [{string.Join(',', code)}]");
        });

    [Property(MaxTest = 150)]
    public Property A_model_that_fits_sram_never_streams_activations_from_flash() =>
        Prop.ForAll(Networks(), code =>
        {
            OpGraph g = Network(code);
            foreach (IEstimator e in All)
            {
                if (e.Target.Family == TargetFamily.MobileGpu)
                {
                    continue;
                }
                TargetEstimate est = e.Estimate(g);
                if (est.Notes.Any(n => n.Contains("exceeds", StringComparison.Ordinal)))
                {
                    continue; // does not fit: not covered by the property
                }
                foreach (LayerEstimate layer in est.Layers)
                {
                    OpNode node = g.Nodes[layer.OpIndex];
                    long constantBytes = node.Cost.WeightBytes + node.Cost.BiasBytes;
                    bool npuWithWeights = layer.Unit == ExecutionUnit.Npu && constantBytes > 0;
                    // Flash (and on Dedicated_Sram, DRAM) traffic is the weight stream only: the raw constants on
                    // the CPU, the encoded weights with scale and bias on the NPU; zero for weightless layers.
                    long expected = layer.Unit == ExecutionUnit.Cpu ? constantBytes
                        : npuWithWeights ? EncodedBytes(e.Target, node) : 0;
                    long flashOrDram = layer.FlashBytes + (node.Cost.ActivationBytesRead + node.Cost.ActivationBytesWritten <= 384 * 1024 ? layer.DramBytes : 0);
                    if (Math.Abs(flashOrDram - expected) > 1)
                    {
                        return false.Label($"{e.Target.Id} op {layer.OpIndex} {layer.OpType}: {flashOrDram} B from flash/DRAM, weights {expected} B");
                    }
                }
            }
            return true.ToProperty();
        });

    private static long EncodedBytes(TargetSpec target, OpNode node)
    {
        var u = (EthosUSpec)target;
        int channels = node.OutputShape[^1];
        return (long)Math.Round(node.Cost.WeightBytes * u.WeightEncodingRatio.Value + channels * u.ScaleBiasBytesPerChannel.Value);
    }

    [Property(MaxTest = 60)]
    public Property Estimates_are_positive_and_sum_over_layers() =>
        Prop.ForAll(Networks(), code =>
        {
            OpGraph g = Network(code);
            foreach (IEstimator e in All)
            {
                TargetEstimate est = e.Estimate(g);
                double sum = est.Layers.Sum(l => l.LatencyMs);
                if (!(est.LatencyMs > 0 && Math.Abs(sum - est.LatencyMs) <= 1e-9 * Math.Max(1, est.LatencyMs)
                    && est.EnergyMj > 0 && est.PeakRamKb > 0 && est.FlashKb >= 0 && est.Layers.Count == g.Nodes.Length))
                {
                    return false.Label($"{e.Target.Id}: latency {est.LatencyMs}, layer sum {sum}");
                }
            }
            return true.ToProperty();
        });
}
