using PerfSage.Graph;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// One network drawn from a search space: a pure function of (space, seed, index).
/// </summary>
/// <param name="ModelId">Stable id, <c>&lt;space&gt;-s&lt;seed&gt;-&lt;index, 6 digits&gt;</c> (<c>kws-s42-000123</c>).</param>
/// <param name="Space">The space's <see cref="ISearchSpace.Name"/>.</param>
/// <param name="Seed">The seed it was drawn under.</param>
/// <param name="Index">Its index under that seed.</param>
/// <param name="Graph">The network (builder graph: constants carry no data until written).</param>
/// <param name="Knobs">The knob values chosen, by knob name (sorted), as <see cref="Knob.Admits"/> reads them.</param>
/// <param name="Family">Architecture family label (<c>kws-dscnn</c>, <c>mobile-v3</c>, …) for splitting by family.</param>
/// <param name="Variant">Element-type variant: <c>int8</c>, <c>int16x8</c> (int16 activations, int8 weights),
/// <c>float32</c>, or <c>float16</c> (float16 weights expanded by DEQUANTIZE ops, float32 activations).</param>
/// <param name="ArenaPeakBytes">The arena head (<see cref="ArenaPlan.PeakBytes"/>) checked against the budget.</param>
/// <param name="Attempt">Which draw of this index fitted the budget (0 for the first).</param>
public sealed record SpaceSample(
    string ModelId,
    string Space,
    ulong Seed,
    long Index,
    OpGraph Graph,
    IReadOnlyDictionary<string, string> Knobs,
    string Family,
    string Variant,
    long ArenaPeakBytes,
    int Attempt);
