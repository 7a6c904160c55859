using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// Adam (Kingma and Ba, ICLR 2015) with L2 weight decay added to the gradient, the update torch.optim.Adam
/// makes: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
/// Written here instead of using TorchSharp's Adam, which passes temporary scalars to native calls (see
/// <see cref="Scalars"/>); every scalar here lives in a <c>using</c> until its call returns. The moments and
/// step counts save to and load from a checkpoint.
/// </summary>
internal sealed class AdamOptimizer : IDisposable
{
    private const int FormatVersion = 1;

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly long[] _steps;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;
    private readonly double _weightDecay;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        _parameters = [.. parameters];
        LearningRate = learningRate;
        _weightDecay = weightDecay;
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        _steps = new long[_parameters.Length];
        _m = new Tensor[_parameters.Length];
        _v = new Tensor[_parameters.Length];
        using IDisposable noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            _m[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
            _v[i] = zeros_like(_parameters[i]).DetachFromDisposeScope();
        }
    }

    /// <summary>The learning rate of the next <see cref="Step"/>.</summary>
    public double LearningRate { get; set; }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        using IDisposable noGrad = no_grad();
        using DisposeScope scope = NewDisposeScope();
        using Scalar beta1 = _beta1.ToScalar(), beta2 = _beta2.ToScalar();
        using Scalar oneMinusBeta1 = (1 - _beta1).ToScalar(), oneMinusBeta2 = (1 - _beta2).ToScalar();
        using Scalar eps = _eps.ToScalar(), weightDecay = _weightDecay.ToScalar();
        for (int i = 0; i < _parameters.Length; i++)
        {
            Parameter p = _parameters[i];
            Tensor? grad = p.grad;
            if (grad is null)
            {
                continue;
            }
            long t = ++_steps[i];
            if (_weightDecay != 0)
            {
                grad = grad.add(p, weightDecay);
            }
            _m[i].mul_(beta1).add_(grad, oneMinusBeta1);
            _v[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using Scalar sqrtCorrection2 = Math.Sqrt(1 - Math.Pow(_beta2, t)).ToScalar();
            using Scalar stepSize = (-LearningRate / (1 - Math.Pow(_beta1, t))).ToScalar();
            Tensor denominator = _v[i].sqrt().div_(sqrtCorrection2).add_(eps, Scalars.One);
            p.addcdiv_(_m[i], denominator, stepSize);
        }
    }

    /// <summary>Writes the step counts and moments.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(FormatVersion);
        writer.Write(_parameters.Length);
        for (int i = 0; i < _parameters.Length; i++)
        {
            writer.Write(_steps[i]);
            _m[i].Save(writer);
            _v[i].Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote, for the same parameters.</summary>
    /// <exception cref="InvalidDataException">Another format or another parameter count.</exception>
    public void Load(BinaryReader reader)
    {
        int version = reader.ReadInt32();
        int count = reader.ReadInt32();
        if (version != FormatVersion || count != _parameters.Length)
        {
            throw new InvalidDataException($"optimizer state of format {version} for {count} parameters; expected format {FormatVersion} for {_parameters.Length}");
        }
        using IDisposable noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            _steps[i] = reader.ReadInt64();
            _m[i].Load(reader);
            _v[i].Load(reader);
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _m.Concat(_v))
        {
            t.Dispose();
        }
    }
}
