using System.Globalization;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>How a squeeze-excite block is built.</summary>
/// <param name="Layer"><c>conv</c>: MEAN (keep dims) → CONV 1×1 → CONV 1×1 (Keras MobileNetV3);
/// <c>fc</c>: MEAN → FULLY_CONNECTED → FULLY_CONNECTED → RESHAPE (the original SE-Net form).</param>
/// <param name="Gate"><c>hard_sigmoid</c> (ADD 3 + ReLU6, MUL 1/6) or <c>logistic</c>.</param>
internal sealed record SqueezeExcite(string Layer, string Gate);

/// <summary>Layers several spaces share.</summary>
internal static class SpaceParts
{
    /// <summary>Pooling (<c>avg</c>: AVERAGE_POOL_2D over the whole map then RESHAPE; <c>mean</c>: MEAN over
    /// height and width; <c>flatten</c>: RESHAPE only), FULLY_CONNECTED to <paramref name="classes"/>, SOFTMAX.</summary>
    public static int Classifier(NetBuilder n, int x, string pooling, int classes)
    {
        int[] s = n.Shape(x);
        x = pooling switch
        {
            "avg" => n.Reshape(n.AveragePool(x, s[1], s[2], s[1], s[2], Padding.Valid), 1, s[3]),
            "mean" => n.Mean(x, [1, 2], keepDims: false),
            _ => n.Reshape(x, 1, s[1] * s[2] * s[3]),
        };
        x = n.FullyConnected(x, classes, Activation.None);
        return n.Softmax(x);
    }

    /// <summary>
    /// MobileNetV2 inverted residual (Sandler et al., arXiv 1801.04381), with the MobileNetV3 options
    /// (Howard et al., arXiv 1905.02244): 1×1 expansion to in·<paramref name="expansion"/> channels (absent
    /// when the expansion is 1), k×k depthwise with <paramref name="stride"/>, optional squeeze-excite, linear
    /// 1×1 projection, and a residual ADD when the stride is 1 and the channel count is kept.
    /// </summary>
    public static int InvertedResidual(NetBuilder n, int x, int outChannels, int expansion, int kernel, int stride,
        Activation act, SqueezeExcite? se)
    {
        int inChannels = n.Shape(x)[3];
        int y = x;
        if (expansion != 1)
        {
            y = n.Conv(y, inChannels * expansion, 1, 1, 1, 1, act);
        }
        y = n.Depthwise(y, kernel, kernel, stride, stride, act);
        if (se is not null)
        {
            y = Excite(n, y, se);
        }
        y = n.Conv(y, outChannels, 1, 1, 1, 1, Activation.None);
        return stride == 1 && inChannels == outChannels ? n.Add(y, x) : y;
    }

    /// <summary>Squeeze-excite with a reduction to a quarter of the channels (rounded to a multiple of 8).</summary>
    public static int Excite(NetBuilder n, int x, SqueezeExcite se)
    {
        int channels = n.Shape(x)[3];
        int reduced = MakeDivisible(channels / 4.0);
        int s;
        if (se.Layer == "fc")
        {
            s = n.Mean(x, [1, 2], keepDims: false);
            s = n.FullyConnected(s, reduced, Activation.Relu);
            s = n.FullyConnected(s, channels, Activation.None);
            s = Gate(n, s, se.Gate);
            s = n.Reshape(s, 1, 1, 1, channels);
        }
        else
        {
            s = n.Mean(x, [1, 2], keepDims: true);
            s = n.Conv(s, reduced, 1, 1, 1, 1, Activation.Relu);
            s = n.Conv(s, channels, 1, 1, 1, 1, Activation.None);
            s = Gate(n, s, se.Gate);
        }
        return n.Mul(x, s);
    }

    private static int Gate(NetBuilder n, int x, string gate) =>
        gate == "logistic" ? n.Logistic(x) : n.HardSigmoid(x);

    /// <summary>MobileNet channel rounding: the nearest multiple of <paramref name="divisor"/> (at least the
    /// divisor), never more than 10 % below <paramref name="value"/>.</summary>
    public static int MakeDivisible(double value, int divisor = 8)
    {
        int v = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return v < 0.9 * value ? v + divisor : v;
    }

    /// <summary>Parses <c>10x4</c> into (10, 4).</summary>
    public static (int First, int Second) Pair(string value)
    {
        int at = value.IndexOf('x', StringComparison.Ordinal);
        return (int.Parse(value.AsSpan(0, at), CultureInfo.InvariantCulture),
            int.Parse(value.AsSpan(at + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>Parses a knob's decimal (<c>0.35</c>).</summary>
    public static double Decimal(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
