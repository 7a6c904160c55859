using PerfSage.Dataset.Spaces;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>
/// Pinned samples: datasets are identified by (space, seed, count), so a change to a sampler silently changes
/// every dataset built after it. These fixtures fail on any such change; update them (and say so in the
/// change log) only on purpose. The expected graphs were checked by hand from the knob values.
/// </summary>
public class GoldenSampleTests
{
    [Fact]
    public void Kws_seed_42_index_0()
    {
        SpaceSample s = SearchSpaces.Get("kws").Sample(42, 0);
        Assert.Equal("kws-s42-000000", s.ModelId);
        Assert.Equal(
            "activation=relu; blocks=1; channels=272,40; dtype=int8; first_kernel=10x4; first_stride=2x2; io=float; pooling=avg; strides=1",
            string.Join("; ", s.Knobs.Select(kv => kv.Key + "=" + kv.Value)));
        // 10×4/2 conv to 272 on 25×5, one stride-1 block 272 → 40, FC 40·12.
        Assert.Equal(25 * 5 * 272 * 40 + 25 * 5 * 272 * 9 + 25 * 5 * 272 * 40 + 40 * 12, s.Graph.TotalMacs);
        Assert.Equal(
            [BuiltinOperator.QUANTIZE, BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.CONV_2D,
             BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.RESHAPE, BuiltinOperator.FULLY_CONNECTED,
             BuiltinOperator.SOFTMAX, BuiltinOperator.DEQUANTIZE],
            s.Graph.Nodes.Select(n => n.Builtin));
    }

    [Fact]
    public void Nb201_seed_42_index_0()
    {
        SpaceSample s = SearchSpaces.Get("nb201").Sample(42, 0);
        // Genotype 990 = base-5 digits 0,1,2,4,3,0.
        Assert.Equal("990", s.Knobs["arch_index"]);
        Assert.Equal("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|", s.Knobs["arch"]);
        // Node 1 is zero, node 2 reaches nothing (removed); node 3 = pool(n0) + conv3x3(zero) = pool + a
        // per-channel constant (ADD): 2 ops per cell, no MACs inside the cells.
        Assert.Equal(20 + 15 * 2, s.Graph.Nodes.Length);
        Assert.Equal(7_783_040, s.Graph.TotalMacs);
    }
}
