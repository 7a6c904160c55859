using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

/// <summary>Tests that touch libtorch's global state (threads, seed) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchStateGroup
{
    public const string Name = "torch";
}

[Collection(TorchStateGroup.Name)]
public sealed class TorchRuntimeTests
{
    [Fact]
    public void Loads_and_applies_thread_count()
    {
        TorchRuntime.EnsureLoaded(threadCount: 2, seed: 1);

        Assert.True(TorchRuntime.IsLoaded);
        Assert.Equal(2, TorchRuntime.ThreadCount);
        Assert.StartsWith("2.10.0", TorchRuntime.LibTorchVersion, StringComparison.Ordinal); // libtorch-cpu-linux-x64 2.10.0
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.EnsureLoaded(0, 1));
    }

    [Fact]
    public void Pins_mkl_code_path_in_the_c_environment_before_mkl_runs()
    {
        TorchRuntime.EnsureLoaded(threadCount: 1, seed: 0);

        // MKL reads the C environment (getenv), which Environment.GetEnvironmentVariable does not see on Linux.
        IntPtr value = TorchRuntime.LibC.getenv(TorchRuntime.MklCodePathVariable);
        Assert.NotEqual(IntPtr.Zero, value);
        string? expected = Environment.GetEnvironmentVariable(TorchRuntime.MklCodePathVariable) ?? "AUTO";
        Assert.Equal(expected, System.Runtime.InteropServices.Marshal.PtrToStringUTF8(value));
    }

    [Fact]
    public void Same_seed_gives_the_same_numbers()
    {
        TorchRuntime.EnsureLoaded(1, seed: 7);
        float[] first = rand(5).data<float>().ToArray();
        TorchRuntime.EnsureLoaded(1, seed: 7);
        float[] again = rand(5).data<float>().ToArray();
        TorchRuntime.EnsureLoaded(1, seed: 8);
        float[] other = rand(5).data<float>().ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Tensor_arithmetic_runs()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();

        // Scalars are held in locals so the GC cannot collect them while libtorch uses them (a TorchSharp 0.107
        // hazard with implicit Scalar conversions; see docs/MODEL.md).
        using Scalar two = 2;
        Tensor doubled = ones(2, 3) * two;

        Assert.Equal(new long[] { 2, 3 }, doubled.shape);
        Assert.Equal(2 * 3 * 2f, doubled.sum().item<float>());
    }

    [Fact]
    public void Linear_forward_and_backward_match_hand_arithmetic()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();
        using var layer = nn.Linear(3, 2);
        // W (2x3) and b set by hand; x is a batch of two rows.
        float[,] w = { { 1, 2, 3 }, { 4, 5, 6 } };
        float[] b = { 0.5f, -1f };
        float[,] x = { { 1, 0, -1 }, { 2, 1, 0 } };
        using (no_grad())
        {
            layer.weight!.copy_(tensor(w));
            layer.bias!.copy_(tensor(b));
        }

        Tensor y = layer.forward(tensor(x));
        using Scalar exponent = 2, half = 2;
        Tensor loss = y.pow(exponent).sum() / half;
        loss.backward();

        // y = x Wᵀ + b
        float y00 = (1 * 1) + (0 * 2) + (-1 * 3) + 0.5f;  // -1.5
        float y01 = (1 * 4) + (0 * 5) + (-1 * 6) - 1f;    // -3
        float y10 = (2 * 1) + (1 * 2) + (0 * 3) + 0.5f;   // 4.5
        float y11 = (2 * 4) + (1 * 5) + (0 * 6) - 1f;     // 12
        Assert.Equal(new[] { y00, y01, y10, y11 }, y.data<float>().ToArray());
        Assert.Equal(((y00 * y00) + (y01 * y01) + (y10 * y10) + (y11 * y11)) / 2, loss.item<float>()); // 87.75

        // loss = ½Σy², so dL/dy = y, dL/dW[j,k] = Σᵢ y[i,j]·x[i,k], dL/db[j] = Σᵢ y[i,j].
        float[] expectedWeightGrad =
        [
            (y00 * 1) + (y10 * 2), (y00 * 0) + (y10 * 1), (y00 * -1) + (y10 * 0),  // 7.5, 4.5, 1.5
            (y01 * 1) + (y11 * 2), (y01 * 0) + (y11 * 1), (y01 * -1) + (y11 * 0),  // 21, 12, 3
        ];
        Assert.Equal(expectedWeightGrad, layer.weight!.grad!.data<float>().ToArray());
        Assert.Equal(new[] { y00 + y10, y01 + y11 }, layer.bias!.grad!.data<float>().ToArray()); // 3, 9
    }
}
