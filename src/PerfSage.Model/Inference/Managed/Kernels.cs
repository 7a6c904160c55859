using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PerfSage.Model.Inference.Managed;

/// <summary>
/// The few float32 kernels the network needs, in 256-bit SIMD (AVX2 with FMA where the CPU has it; .NET emulates the
/// vectors elsewhere, which is slower but gives the same kind of result). Sizes are checked once per call, so the inner
/// loops read without bounds checks. The hot methods are compiled fully optimised at once (<c>AggressiveOptimization</c>):
/// as unoptimised tier-0 code they made a cold <c>score --all-targets</c> of 234 models spend 767 ms in the network
/// instead of about 200 ms (measured here).
/// <para>Numerics: each output is a float32 sum of products, as TorchSharp's <c>nn.functional.linear</c> on a CPU (MKL's
/// <c>sgemm</c>) computes it; the order of the additions differs (and with FMA one rounding per product is saved), which
/// moves a sum of 128 terms by a few float32 ulps: far inside the 1e-4 relative parity the tests hold.</para>
/// </summary>
internal static class Kernels
{
    private static readonly int Lanes = Vector256<float>.Count;

    /// <summary>
    /// y[r, j] = act(bias[c0 + j] + Σₖ x[r, k] · wt[k, c0 + j]) for r &lt; <paramref name="rows"/>, j &lt; <paramref name="colCount"/>:
    /// a linear layer whose weight is stored transposed (<paramref name="wt"/> is [in, <paramref name="wtCols"/>], row-major),
    /// over the column range starting at <paramref name="colStart"/> (one head's block of a wider matrix).
    /// </summary>
    /// <param name="x">Inputs [rows, inDim].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="inDim">Input width.</param>
    /// <param name="wt">Transposed weights [inDim, wtCols].</param>
    /// <param name="wtCols">Columns of <paramref name="wt"/>.</param>
    /// <param name="colStart">First column computed.</param>
    /// <param name="colCount">Columns computed.</param>
    /// <param name="bias">Bias indexed by column of <paramref name="wt"/>, or empty for none.</param>
    /// <param name="y">Outputs; row r starts at r · <paramref name="yStride"/>.</param>
    /// <param name="yStride">Distance between output rows.</param>
    /// <param name="relu">Apply max(0, ·) to each output.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Linear(ReadOnlySpan<float> x, int rows, int inDim, ReadOnlySpan<float> wt, int wtCols, int colStart, int colCount,
        ReadOnlySpan<float> bias, Span<float> y, int yStride, bool relu)
    {
        if (rows == 0 || colCount == 0)
        {
            return;
        }
        if (rows < 0 || inDim < 0 || colStart < 0 || colCount < 0 || colStart + colCount > wtCols
            || x.Length < (long)rows * inDim || wt.Length < (long)inDim * wtCols || (bias.Length != 0 && bias.Length < colStart + colCount)
            || yStride < colCount || y.Length < ((long)(rows - 1) * yStride) + colCount)
        {
            throw new ArgumentException("linear kernel: sizes do not match");
        }
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float wr = ref Unsafe.Add(ref MemoryMarshal.GetReference(wt), colStart);
        ref float yr = ref MemoryMarshal.GetReference(y);
        bool hasBias = bias.Length != 0;
        ref float br = ref hasBias ? ref Unsafe.Add(ref MemoryMarshal.GetReference(bias), colStart) : ref Unsafe.NullRef<float>();
        int r = 0;
        for (; r + 1 < rows; r += 2)
        {
            TwoRows(ref Unsafe.Add(ref xr, r * inDim), inDim, ref wr, wtCols, colCount, hasBias, ref br,
                ref Unsafe.Add(ref yr, r * yStride), yStride, relu);
        }
        if (r < rows)
        {
            OneRow(ref Unsafe.Add(ref xr, r * inDim), inDim, ref wr, wtCols, colCount, hasBias, ref br, ref Unsafe.Add(ref yr, r * yStride), relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TwoRows(ref float x0, int inDim, ref float w, int wtCols, int colCount, bool hasBias, ref float b,
        ref float y0, int yStride, bool relu)
    {
        ref float x1 = ref Unsafe.Add(ref x0, inDim);
        ref float y1 = ref Unsafe.Add(ref y0, yStride);
        int j = 0;
        for (; j + (4 * Lanes) <= colCount; j += 4 * Lanes)
        {
            Vector256<float> a0 = Start(hasBias, ref b, j), a1 = Start(hasBias, ref b, j + Lanes);
            Vector256<float> a2 = Start(hasBias, ref b, j + (2 * Lanes)), a3 = Start(hasBias, ref b, j + (3 * Lanes));
            Vector256<float> c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            for (int k = 0; k < inDim; k++)
            {
                ref float wk = ref Unsafe.Add(ref w, (k * wtCols) + j);
                Vector256<float> w0 = Vector256.LoadUnsafe(ref wk), w1 = Vector256.LoadUnsafe(ref wk, (nuint)Lanes);
                Vector256<float> w2 = Vector256.LoadUnsafe(ref wk, (nuint)(2 * Lanes)), w3 = Vector256.LoadUnsafe(ref wk, (nuint)(3 * Lanes));
                var s0 = Vector256.Create(Unsafe.Add(ref x0, k));
                var s1 = Vector256.Create(Unsafe.Add(ref x1, k));
                a0 = MulAdd(s0, w0, a0);
                a1 = MulAdd(s0, w1, a1);
                a2 = MulAdd(s0, w2, a2);
                a3 = MulAdd(s0, w3, a3);
                c0 = MulAdd(s1, w0, c0);
                c1 = MulAdd(s1, w1, c1);
                c2 = MulAdd(s1, w2, c2);
                c3 = MulAdd(s1, w3, c3);
            }
            Store(a0, ref y0, j, relu);
            Store(a1, ref y0, j + Lanes, relu);
            Store(a2, ref y0, j + (2 * Lanes), relu);
            Store(a3, ref y0, j + (3 * Lanes), relu);
            Store(c0, ref y1, j, relu);
            Store(c1, ref y1, j + Lanes, relu);
            Store(c2, ref y1, j + (2 * Lanes), relu);
            Store(c3, ref y1, j + (3 * Lanes), relu);
        }
        for (; j + Lanes <= colCount; j += Lanes)
        {
            Vector256<float> a = Start(hasBias, ref b, j), c = a;
            for (int k = 0; k < inDim; k++)
            {
                Vector256<float> wv = Vector256.LoadUnsafe(ref Unsafe.Add(ref w, (k * wtCols) + j));
                a = MulAdd(Vector256.Create(Unsafe.Add(ref x0, k)), wv, a);
                c = MulAdd(Vector256.Create(Unsafe.Add(ref x1, k)), wv, c);
            }
            Store(a, ref y0, j, relu);
            Store(c, ref y1, j, relu);
        }
        for (; j < colCount; j++)
        {
            Unsafe.Add(ref y0, j) = Scalar(ref x0, inDim, ref w, wtCols, j, hasBias, ref b, relu);
            Unsafe.Add(ref y1, j) = Scalar(ref x1, inDim, ref w, wtCols, j, hasBias, ref b, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OneRow(ref float x0, int inDim, ref float w, int wtCols, int colCount, bool hasBias, ref float b, ref float y0, bool relu)
    {
        int j = 0;
        for (; j + (2 * Lanes) <= colCount; j += 2 * Lanes)
        {
            Vector256<float> a0 = Start(hasBias, ref b, j), a1 = Start(hasBias, ref b, j + Lanes);
            for (int k = 0; k < inDim; k++)
            {
                ref float wk = ref Unsafe.Add(ref w, (k * wtCols) + j);
                var s0 = Vector256.Create(Unsafe.Add(ref x0, k));
                a0 = MulAdd(s0, Vector256.LoadUnsafe(ref wk), a0);
                a1 = MulAdd(s0, Vector256.LoadUnsafe(ref wk, (nuint)Lanes), a1);
            }
            Store(a0, ref y0, j, relu);
            Store(a1, ref y0, j + Lanes, relu);
        }
        for (; j + Lanes <= colCount; j += Lanes)
        {
            Vector256<float> a = Start(hasBias, ref b, j);
            for (int k = 0; k < inDim; k++)
            {
                a = MulAdd(Vector256.Create(Unsafe.Add(ref x0, k)), Vector256.LoadUnsafe(ref Unsafe.Add(ref w, (k * wtCols) + j)), a);
            }
            Store(a, ref y0, j, relu);
        }
        for (; j < colCount; j++)
        {
            Unsafe.Add(ref y0, j) = Scalar(ref x0, inDim, ref w, wtCols, j, hasBias, ref b, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Start(bool hasBias, ref float b, int j) =>
        hasBias ? Vector256.LoadUnsafe(ref Unsafe.Add(ref b, j)) : Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> v, ref float y, int j, bool relu) =>
        (relu ? Vector256.Max(v, Vector256<float>.Zero) : v).StoreUnsafe(ref Unsafe.Add(ref y, j));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Scalar(ref float x, int inDim, ref float w, int wtCols, int j, bool hasBias, ref float b, bool relu)
    {
        float sum = hasBias ? Unsafe.Add(ref b, j) : 0f;
        for (int k = 0; k < inDim; k++)
        {
            sum += Unsafe.Add(ref x, k) * Unsafe.Add(ref w, (k * wtCols) + j);
        }
        return relu ? MathF.Max(sum, 0f) : sum;
    }

    /// <summary>Σ a[i] · b[i] in float32 (SIMD partial sums, then their sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("dot: lengths differ");
        }
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int i = 0;
        Vector256<float> acc = Vector256<float>.Zero;
        for (; i + Lanes <= a.Length; i += Lanes)
        {
            acc = MulAdd(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i), acc);
        }
        float sum = Vector256.Sum(acc);
        for (; i < a.Length; i++)
        {
            sum += Unsafe.Add(ref ar, i) * Unsafe.Add(ref br, i);
        }
        return sum;
    }
}
