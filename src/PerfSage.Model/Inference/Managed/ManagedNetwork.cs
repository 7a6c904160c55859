using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using PerfSage.Graph.Features;
using PerfSage.Model.Nn;

namespace PerfSage.Model.Inference.Managed;

/// <summary>
/// The trained network run in managed code (no TorchSharp type, no native library): the same forward pass as
/// <see cref="PerfSageNet"/> (read it there, and in <see cref="SageConv"/> and <see cref="Readout"/>), on one already-scaled
/// graph at a time, computing only the heads asked for.
/// <list type="number">
/// <item>node input [scaled node features ‖ op embedding] → Linear → ReLU → Linear = h;</item>
/// <item>per layer: messages hⱼ + Wₑ·eⱼᵢ summed into their targets in edge order (as <c>index_add_</c> does), times
/// 1 / max(1, in-degree) in float32; m = W₁·h + b + W₂·mean; h ← h + ReLU(LayerNorm(m)) with ε = 1e-5 and the biased
/// variance (TorchSharp's <c>nn.LayerNorm</c>);</item>
/// <item>graph embedding: the size-independent graph column → Linear → ReLU → Linear → ReLU;</item>
/// <item>per head: node terms [aᵢ, cᵢ] = Linear(ReLU(Linear(h))); graph term b = Linear(graph embedding);
/// ln ŷ = logsumexp(logsumexp aᵢ, max cᵢ, b) + offset, the last addition in float32 as the network does it.</item>
/// </list>
/// Linear layers and sums run in float32; the two logsumexps run in double and are rounded to float32, which is within
/// an ulp of the exact value (TorchSharp's float32 logsumexp is within a few). Instances are immutable: any number of
/// threads may predict at once.
/// </summary>
internal sealed class ManagedNetwork
{
    /// <summary>Node rows per block of the heads' hidden layer (bounds the scratch memory of a large graph).</summary>
    private const int NodeBlock = 64;

    private readonly int _features, _edgeFeatures, _embedding, _hidden, _graphHidden, _headHidden, _heads;
    private readonly float[] _embeddingTable;
    private readonly Dense _encoder0, _encoder2, _graph0, _graph2;
    private readonly ConvLayer[] _layers;
    private readonly float[] _headHiddenWt, _headHiddenBias, _headTermWeight, _headTermBias, _headGraphWeight, _headGraphBias, _offsets;

    private ManagedNetwork(ModelManifest manifest, Dictionary<string, StateTensor> state, string weightsPath)
    {
        Manifest = manifest;
        NetworkOptions o = manifest.Network;
        Heads = manifest.Heads.Select(HeadSpec.FromManifest).ToArray();
        _features = FeatureSchema.NodeFeatureCount;
        _edgeFeatures = FeatureSchema.EdgeFeatureCount;
        _embedding = o.EmbeddingSize;
        _hidden = o.HiddenSize;
        _graphHidden = o.GraphHiddenSize;
        _headHidden = o.HeadHiddenSize;
        _heads = Heads.Count;
        var take = new Parameters(state, weightsPath);
        _embeddingTable = take.Get("op_embedding.weight", OpVocabulary.Size, _embedding);
        _encoder0 = take.Linear("node_encoder.0", _features + _embedding, _hidden, bias: true);
        _encoder2 = take.Linear("node_encoder.2", _hidden, _hidden, bias: true);
        _layers = new ConvLayer[o.LayerCount];
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l] = new ConvLayer(
                take.Linear($"convs.{l}.lin_self", _hidden, _hidden, bias: true),
                take.Linear($"convs.{l}.lin_neighbour", _hidden, _hidden, bias: false),
                take.Linear($"convs.{l}.lin_edge", _edgeFeatures, _hidden, bias: false),
                take.Get($"norms.{l}.weight", _hidden),
                take.Get($"norms.{l}.bias", _hidden));
        }
        _graph0 = take.Linear("graph_encoder.0", NetworkLayout.GraphTermColumns.Length, _graphHidden, bias: true);
        _graph2 = take.Linear("graph_encoder.2", _graphHidden, _graphHidden, bias: true);

        // All heads' hidden layers side by side: one transposed matrix [hidden, heads · headHidden], so a head is a block of columns.
        int wide = _heads * _headHidden;
        _headHiddenWt = new float[_hidden * wide];
        _headHiddenBias = new float[wide];
        _headTermWeight = new float[_heads * 2 * _headHidden];
        _headTermBias = new float[_heads * 2];
        _headGraphWeight = new float[_heads * _graphHidden];
        _headGraphBias = new float[_heads];
        _offsets = new float[_heads];
        HeadWeights<string> names = HeadWeights.Names;
        for (int k = 0; k < _heads; k++)
        {
            string prefix = $"heads.{Heads[k].Key.Key}.";
            float[] w = take.Get(prefix + names.HiddenWeight, _headHidden, _hidden);
            for (int r = 0; r < _headHidden; r++)
            {
                for (int c = 0; c < _hidden; c++)
                {
                    _headHiddenWt[(c * wide) + (k * _headHidden) + r] = w[(r * _hidden) + c];
                }
            }
            take.Get(prefix + names.HiddenBias, _headHidden).CopyTo(_headHiddenBias, k * _headHidden);
            take.Get(prefix + names.TermWeight, 2, _headHidden).CopyTo(_headTermWeight, k * 2 * _headHidden);
            take.Get(prefix + names.TermBias, 2).CopyTo(_headTermBias, k * 2);
            take.Get(prefix + names.GraphWeight, 1, _graphHidden).CopyTo(_headGraphWeight, k * _graphHidden);
            _headGraphBias[k] = take.Get(prefix + names.GraphBias, 1)[0];
            _offsets[k] = (float)Heads[k].LogOffset; // as PerfSageNet holds them: float32
        }
        take.EnsureAllUsed();
    }

    /// <summary>The manifest the network was loaded with.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The heads, in the manifest's (output) order.</summary>
    public IReadOnlyList<HeadSpec> Heads { get; }

    /// <summary>Builds the network from a model folder's manifest and weights (<see cref="ModelFolderReader"/>).</summary>
    /// <exception cref="ModelFormatException">The weights are not a float32 state dictionary of exactly the parameters the
    /// manifest's network has, of the shapes it gives them.</exception>
    public static ManagedNetwork FromFolder(ModelFolderContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        Dictionary<string, StateTensor> state = StateDictReader.Read(contents.Weights, contents.WeightsPath);
        return new ManagedNetwork(contents.Manifest, state, contents.WeightsPath);
    }

    /// <summary>
    /// ln of the heads <paramref name="heads"/> (indices into <see cref="Heads"/>) for one graph whose features are already
    /// scaled and checked (<see cref="GraphChecks"/>): <paramref name="output"/>[q] is head <paramref name="heads"/>[q]'s.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PredictLog(GraphFeatures scaled, ReadOnlySpan<int> heads, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(scaled);
        if (output.Length < heads.Length)
        {
            throw new ArgumentException("output is shorter than the heads asked for", nameof(output));
        }
        foreach (int k in heads)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)k, (uint)_heads, nameof(heads));
        }
        float[] h = NodeEmbeddings(scaled);
        float[] g = GraphEmbedding(scaled);
        int n = scaled.NodeCount;

        // Per head: running logsumexp of the sum terms (max and Σ exp(a − max), in double) and the maximum term.
        int q = heads.Length;
        var sumMax = new double[q];
        var sumScaled = new double[q];
        var maxTerm = new float[q];
        Array.Fill(sumMax, double.NegativeInfinity);
        Array.Fill(maxTerm, float.NegativeInfinity);
        var hidden = new float[Math.Min(Math.Max(n, 1), NodeBlock) * _headHidden];
        int wide = _heads * _headHidden;
        for (int start = 0; start < n; start += NodeBlock)
        {
            int rows = Math.Min(NodeBlock, n - start);
            ReadOnlySpan<float> block = h.AsSpan(start * _hidden, rows * _hidden);
            for (int j = 0; j < q; j++)
            {
                int k = heads[j];
                Kernels.Linear(block, rows, _hidden, _headHiddenWt, wide, k * _headHidden, _headHidden, _headHiddenBias, hidden, _headHidden, relu: true);
                ReadOnlySpan<float> sumWeight = _headTermWeight.AsSpan(k * 2 * _headHidden, _headHidden);
                ReadOnlySpan<float> maxWeight = _headTermWeight.AsSpan(((k * 2) + 1) * _headHidden, _headHidden);
                float sumBias = _headTermBias[k * 2], maxBias = _headTermBias[(k * 2) + 1];
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> row = hidden.AsSpan(r * _headHidden, _headHidden);
                    float a = Kernels.Dot(row, sumWeight) + sumBias;
                    float c = Kernels.Dot(row, maxWeight) + maxBias;
                    if (a > sumMax[j])
                    {
                        sumScaled[j] = (sumScaled[j] * Math.Exp(sumMax[j] - a)) + 1;
                        sumMax[j] = a;
                    }
                    else
                    {
                        sumScaled[j] += Math.Exp(a - sumMax[j]);
                    }
                    // NaN propagates as torch's amax propagates it.
                    maxTerm[j] = float.IsNaN(c) || c > maxTerm[j] ? c : maxTerm[j];
                }
            }
        }
        for (int j = 0; j < q; j++)
        {
            int k = heads[j];
            float b = Kernels.Dot(g, _headGraphWeight.AsSpan(k * _graphHidden, _graphHidden)) + _headGraphBias[k];
            float sum = double.IsNegativeInfinity(sumMax[j]) ? float.NegativeInfinity : (float)(sumMax[j] + Math.Log(sumScaled[j]));
            output[j] = LogSumExp3(sum, maxTerm[j], b) + _offsets[k];
        }
    }

    /// <summary>ln(eˣ + eʸ + eᶻ) rounded to float32; −∞ terms add nothing; NaN gives NaN.</summary>
    private static float LogSumExp3(float x, float y, float z)
    {
        double m = Math.Max(x, Math.Max(y, z));
        if (double.IsNaN(x) || double.IsNaN(y) || double.IsNaN(z))
        {
            return float.NaN;
        }
        if (double.IsNegativeInfinity(m) || double.IsPositiveInfinity(m))
        {
            return (float)m;
        }
        return (float)(m + Math.Log(Math.Exp(x - m) + Math.Exp(y - m) + Math.Exp(z - m)));
    }

    /// <summary>Node embeddings after the SageConv layers [N, hidden].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] NodeEmbeddings(GraphFeatures g)
    {
        int n = g.NodeCount, e = g.EdgeCount, width = _features + _embedding;
        var input = new float[n * width];
        for (int i = 0; i < n; i++)
        {
            g.NodeFeatures.AsSpan(i * _features, _features).CopyTo(input.AsSpan(i * width));
            _embeddingTable.AsSpan(g.OpIndex[i] * _embedding, _embedding).CopyTo(input.AsSpan((i * width) + _features));
        }
        var t = new float[n * _hidden];
        var h = new float[n * _hidden];
        _encoder0.Apply(input, n, t, relu: true);
        _encoder2.Apply(t, n, h, relu: false);
        if (_layers.Length == 0)
        {
            return h;
        }

        var inverseDegree = new float[n];
        foreach (int target in g.EdgeTarget)
        {
            inverseDegree[target]++;
        }
        for (int i = 0; i < n; i++)
        {
            inverseDegree[i] = 1f / Math.Max(1f, inverseDegree[i]);
        }
        var messages = new float[e * _hidden];
        var mean = new float[n * _hidden];
        var self = t; // the encoder's hidden layer is no longer needed
        var neighbour = new float[n * _hidden];
        foreach (ConvLayer layer in _layers)
        {
            layer.Edge.Apply(g.EdgeFeatures, e, messages, relu: false);
            Array.Clear(mean);
            for (int k = 0; k < e; k++)
            {
                Span<float> message = messages.AsSpan(k * _hidden, _hidden);
                Add(message, h.AsSpan(g.EdgeSource[k] * _hidden, _hidden));         // hⱼ + Wₑ·eⱼᵢ
                Add(mean.AsSpan(g.EdgeTarget[k] * _hidden, _hidden), message);       // index_add_ in edge order
            }
            for (int i = 0; i < n; i++)
            {
                Scale(mean.AsSpan(i * _hidden, _hidden), inverseDegree[i]);
            }
            layer.Self.Apply(h, n, self, relu: false);
            layer.Neighbour.Apply(mean, n, neighbour, relu: false);
            for (int i = 0; i < n; i++)
            {
                Span<float> m = self.AsSpan(i * _hidden, _hidden);
                Add(m, neighbour.AsSpan(i * _hidden, _hidden));
                NormReluAdd(m, layer.NormWeight, layer.NormBias, h.AsSpan(i * _hidden, _hidden));
            }
        }
        return h;
    }

    /// <summary>h += ReLU(LayerNorm(m)): mean and biased variance over the row, ε = 1e-5, then the affine weight and bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormReluAdd(Span<float> m, float[] weight, float[] bias, Span<float> h)
    {
        double sum = 0;
        foreach (float v in m)
        {
            sum += v;
        }
        double mu = sum / m.Length;
        double squares = 0;
        foreach (float v in m)
        {
            double d = v - mu;
            squares += d * d;
        }
        double rstd = 1 / Math.Sqrt((squares / m.Length) + NetworkLayout.LayerNormEpsilon);
        for (int c = 0; c < m.Length; c++)
        {
            float y = ((float)((m[c] - mu) * rstd) * weight[c]) + bias[c];
            h[c] += MathF.Max(y, 0f);
        }
    }

    /// <summary>The graph embedding [graphHidden] of the size-independent graph columns.</summary>
    private float[] GraphEmbedding(GraphFeatures g)
    {
        int[] columns = NetworkLayout.GraphTermColumns;
        var input = new float[columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            input[c] = g.GraphFeatureValues[columns[c]];
        }
        var hidden = new float[_graphHidden];
        var output = new float[_graphHidden];
        _graph0.Apply(input, 1, hidden, relu: true);
        _graph2.Apply(hidden, 1, output, relu: true);
        return output;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(Span<float> into, ReadOnlySpan<float> values)
    {
        if (values.Length < into.Length)
        {
            throw new ArgumentException("add: lengths differ");
        }
        ref float a = ref MemoryMarshal.GetReference(into);
        ref float b = ref MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i + Vector256<float>.Count <= into.Length; i += Vector256<float>.Count)
        {
            (Vector256.LoadUnsafe(ref a, (nuint)i) + Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < into.Length; i++)
        {
            Unsafe.Add(ref a, i) += Unsafe.Add(ref b, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(Span<float> values, float factor)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }

    /// <summary>A linear layer held transposed ([in, out]) for <see cref="Kernels.Linear"/>.</summary>
    private sealed record Dense(float[] Transposed, float[] Bias, int In, int Out)
    {
        public void Apply(ReadOnlySpan<float> x, int rows, Span<float> y, bool relu) =>
            Kernels.Linear(x, rows, In, Transposed, Out, 0, Out, Bias, y, Out, relu);
    }

    private sealed record ConvLayer(Dense Self, Dense Neighbour, Dense Edge, float[] NormWeight, float[] NormBias);

    /// <summary>Takes parameters out of the state dictionary by name and shape; whatever is left over is an error (a strict load).</summary>
    private sealed class Parameters(Dictionary<string, StateTensor> state, string path)
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public float[] Get(string name, params int[] shape)
        {
            if (!state.TryGetValue(name, out StateTensor? t))
            {
                throw Misfit($"parameter '{name}' is missing");
            }
            if (!t.Shape.SequenceEqual(shape.Select(s => (long)s)))
            {
                throw Misfit($"parameter '{name}' has shape [{string.Join(", ", t.Shape)}], the network needs [{string.Join(", ", shape)}]");
            }
            _used.Add(name);
            return t.Values;
        }

        public Dense Linear(string prefix, int inSize, int outSize, bool bias)
        {
            float[] w = Get(prefix + ".weight", outSize, inSize);
            var transposed = new float[inSize * outSize];
            for (int r = 0; r < outSize; r++)
            {
                for (int c = 0; c < inSize; c++)
                {
                    transposed[(c * outSize) + r] = w[(r * inSize) + c];
                }
            }
            return new Dense(transposed, bias ? Get(prefix + ".bias", outSize) : [], inSize, outSize);
        }

        public void EnsureAllUsed()
        {
            List<string> extra = state.Keys.Where(k => !_used.Contains(k)).ToList();
            if (extra.Count > 0)
            {
                throw Misfit(string.Create(CultureInfo.InvariantCulture,
                    $"{extra.Count} parameter(s) the network does not have, e.g. '{extra[0]}'"));
            }
        }

        private ModelFormatException Misfit(string why) =>
            new($"{path}: weights do not fit the network manifest.json describes ({why})");
    }
}
