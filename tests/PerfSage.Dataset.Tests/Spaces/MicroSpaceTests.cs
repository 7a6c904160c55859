using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>The microcontroller spaces rebuilt from their knobs: MACs and op counts computed in the test from
/// the knob values alone must match the graphs.</summary>
public class MicroSpaceTests
{
    [Fact]
    public void Kws_graphs_follow_their_knobs()
    {
        ISearchSpace space = SearchSpaces.Get("kws");
        for (int i = 0; i < 300; i++)
        {
            SpaceSample s = space.Sample(77, i);
            OpGraph g = s.Graph;
            (int kh, int kw) = s.Pair("first_kernel");
            (int sh, int sw) = s.Pair("first_stride");
            int blocks = s.Int("blocks");
            int[] ch = s.Ints("channels");
            int[] strides = s.Ints("strides");
            Assert.Equal(blocks + 1, ch.Length);
            Assert.Equal(blocks, strides.Length);

            int h = KnobReader.Same(49, sh), w = KnobReader.Same(10, sw);
            long macs = (long)h * w * ch[0] * kh * kw;
            for (int b = 0; b < blocks; b++)
            {
                h = KnobReader.Same(h, strides[b]);
                w = KnobReader.Same(w, strides[b]);
                macs += (long)h * w * ch[b] * 9 + (long)h * w * ch[b] * ch[b + 1];
            }
            string pooling = s.Knobs["pooling"];
            macs += (pooling == "flatten" ? (long)h * w * ch[blocks] : ch[blocks]) * 12;
            Assert.Equal(macs, g.TotalMacs);

            bool floatIo = s.Knobs["io"] == "float";
            int ops = 1 + 2 * blocks + (pooling == "avg" ? 2 : 1) + 2 + (floatIo ? 2 : 0);
            Assert.Equal(ops, g.Nodes.Length);
            Assert.Equal(blocks, g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
            Assert.Equal(blocks + 1, g.CountOf(BuiltinOperator.CONV_2D));

            TensorType act = s.Variant == "int16x8" ? TensorType.Int16 : TensorType.Int8;
            TensorType io = floatIo ? TensorType.Float32 : act;
            Assert.Equal(io, g.Tensors[g.Inputs[0]].Type);
            Assert.Equal(io, g.Tensors[g.Outputs[0]].Type);
            Assert.Equal([1, 49, 10, 1], g.Tensors[g.Inputs[0]].Shape.ToArray());
            Assert.Equal([1, 12], g.Tensors[g.Outputs[0]].Shape.ToArray());
            OpNode conv = g.Nodes.First(n => n.Builtin == BuiltinOperator.CONV_2D);
            Assert.Equal(act, conv.DType);
            Assert.Equal(TensorType.Int8, conv.WeightDType);
            Assert.Equal(s.Variant == "int16x8" ? TensorType.Int64 : TensorType.Int32, g.Tensors[conv.BiasTensor].Type);
            if (floatIo)
            {
                Assert.Equal(BuiltinOperator.QUANTIZE, g.Nodes[0].Builtin);
                Assert.Equal(BuiltinOperator.DEQUANTIZE, g.Nodes[^1].Builtin);
            }
        }
    }

    [Fact]
    public void Kws_mlperf_reference_shape_is_in_the_space()
    {
        // The MLPerf Tiny DS-CNN: 10×4/2 conv to 64 channels on 25×5, 4 blocks of 64, average pool, FC 12:
        // 2,656,768 MACs (TARGETS.md §4). Its knob values are inside the documented ranges, and the MAC formula
        // of the test above gives that total for them.
        long macs = 25L * 5 * 64 * 40 + 4 * (25L * 5 * 64 * 9 + 25L * 5 * 64 * 64) + 64 * 12;
        Assert.Equal(2_656_768, macs);
        ISearchSpace kws = SearchSpaces.Get("kws");
        Knob Find(string n) => kws.Knobs.Single(k => k.Name == n);
        Assert.True(Find("first_kernel").Admits("10x4"));
        Assert.True(Find("first_stride").Admits("2x2"));
        Assert.True(Find("blocks").Admits("4"));
        Assert.True(Find("channels").Admits("64,64,64,64,64"));
        Assert.True(Find("pooling").Admits("avg"));
    }

    [Fact]
    public void Ic_graphs_follow_their_knobs()
    {
        ISearchSpace space = SearchSpaces.Get("ic");
        for (int i = 0; i < 300; i++)
        {
            SpaceSample s = space.Sample(78, i);
            int stem = s.Int("stem_channels");
            int stages = s.Int("stages");
            int[] blocks = s.Ints("blocks");
            int[] widths = s.Ints("widths");
            int[] kernels = s.Ints("kernels");
            Assert.Equal(stages, blocks.Length);
            for (int st = 0; st < stages; st++)
            {
                Assert.InRange(widths[st], 8 << st, Math.Min(128, 32 << st));
                Assert.True(st == 0 || widths[st] >= widths[st - 1]);
            }

            int hw = 32, c = stem, shortcuts = 0, blockCount = 0;
            long macs = 32L * 32 * stem * 27;
            for (int st = 0; st < stages; st++)
            {
                int k = kernels[st];
                for (int b = 0; b < blocks[st]; b++)
                {
                    int stride = st > 0 && b == 0 ? 2 : 1;
                    int outHw = KnobReader.Same(hw, stride);
                    macs += (long)outHw * outHw * widths[st] * k * k * c + (long)outHw * outHw * widths[st] * k * k * widths[st];
                    if (stride != 1 || c != widths[st])
                    {
                        macs += (long)outHw * outHw * widths[st] * c;
                        shortcuts++;
                    }
                    hw = outHw;
                    c = widths[st];
                    blockCount++;
                }
            }
            macs += c * 10;
            Assert.Equal(macs, s.Graph.TotalMacs);
            Assert.Equal(1 + 2 * blockCount + shortcuts, s.Graph.CountOf(BuiltinOperator.CONV_2D));
            Assert.Equal(blockCount, s.Graph.CountOf(BuiltinOperator.ADD));
            Assert.All(s.Graph.Nodes.Where(n => n.Builtin == BuiltinOperator.ADD),
                n => Assert.NotEqual(ActivationFunctionType.None, n.Attributes.FusedActivation));
        }
    }

    [Fact]
    public void Ad_graphs_follow_their_knobs()
    {
        ISearchSpace space = SearchSpaces.Get("ad");
        for (int i = 0; i < 300; i++)
        {
            SpaceSample s = space.Sample(79, i);
            int depth = s.Int("depth");
            int[] widths = s.Ints("widths");
            int bottleneck = s.Int("bottleneck");
            Assert.Equal(depth, widths.Length);
            Assert.Equal(widths.OrderDescending(), widths);
            int[] layers = [640, .. widths, bottleneck, .. widths.Reverse(), 640];
            long macs = 0;
            for (int l = 1; l < layers.Length; l++)
            {
                macs += (long)layers[l - 1] * layers[l];
            }
            Assert.Equal(macs, s.Graph.TotalMacs);
            Assert.Equal(2 * depth + 2, s.Graph.CountOf(BuiltinOperator.FULLY_CONNECTED));
            Assert.Equal([1, 640], s.Graph.Tensors[s.Graph.Outputs[0]].Shape.ToArray());
            // The reconstruction layer is linear; every other layer has the activation fused.
            OpNode last = s.Graph.Nodes.Last(n => n.Builtin == BuiltinOperator.FULLY_CONNECTED);
            Assert.Equal(ActivationFunctionType.None, last.Attributes.FusedActivation);
        }
    }

    [Fact]
    public void Ad_mlperf_reference_macs_fit_the_formula()
    {
        // MLPerf Tiny AD: 640 → 128 ×4 → 8 → 128 ×4 → 640, 264,192 MACs (TARGETS.md §4); depth 4, widths 128,
        // bottleneck 8 are knob values of the space.
        int[] layers = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640];
        long macs = 0;
        for (int l = 1; l < layers.Length; l++)
        {
            macs += (long)layers[l - 1] * layers[l];
        }
        Assert.Equal(264_192, macs);
        ISearchSpace ad = SearchSpaces.Get("ad");
        Assert.True(ad.Knobs.Single(k => k.Name == "widths").Admits("128,128,128,128"));
        Assert.True(ad.Knobs.Single(k => k.Name == "bottleneck").Admits("8"));
    }

    [Fact]
    public void Vww_graphs_follow_their_knobs()
    {
        ISearchSpace space = SearchSpaces.Get("vww");
        for (int i = 0; i < 200; i++)
        {
            SpaceSample s = space.Sample(80, i);
            OpGraph g = s.Graph;
            int stages = s.Int("stages");
            int[] blocks = s.Ints("blocks");
            int[] expansion = s.Ints("expansion");
            int[] se = s.Ints("se");
            int r = s.Int("resolution");
            Assert.Equal(stages, blocks.Length);
            Assert.Equal(blocks.Sum(), g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
            int seBlocks = Enumerable.Range(0, stages).Sum(st => se[st] * blocks[st]);
            int expandConvs = Enumerable.Range(0, stages).Sum(st => expansion[st] == 1 ? 0 : blocks[st]);
            bool convSe = s.Knobs["se_layer"] == "conv";
            int head = s.Int("head_channels") > 0 ? 1 : 0;
            // Convolutions: stem, expansions, projections, SE (2 each when built from 1×1 convs), head.
            Assert.Equal(1 + expandConvs + blocks.Sum() + (convSe ? 2 * seBlocks : 0) + head, g.CountOf(BuiltinOperator.CONV_2D));
            Assert.Equal(seBlocks + (s.Knobs["pooling"] == "mean" ? 1 : 0), g.CountOf(BuiltinOperator.MEAN));
            Assert.Equal(s.Knobs["se_gate"] == "logistic" ? seBlocks : 0, g.CountOf(BuiltinOperator.LOGISTIC));
            Assert.Equal([1, r, r, 3], g.Tensors[g.Inputs[0]].Shape.ToArray());
            Assert.Equal([1, 2], g.Tensors[g.Outputs[0]].Shape.ToArray());
            Assert.All(g.Nodes.Where(n => n.WeightDType is not null), n => Assert.Equal(TensorType.Int8, n.WeightDType));
        }
    }
}
