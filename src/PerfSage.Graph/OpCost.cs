namespace PerfSage.Graph;

/// <summary>
/// Target-independent work of one operator, from tensor shapes only (see <see cref="OpSemantics"/> for
/// the formula of each operator family). Byte counts are of dense tensors.
/// </summary>
/// <param name="Macs">Multiply-accumulates of convolutions, fully connected, matrix products and
/// recurrent cells. Pooling and elementwise work is not counted here (see <paramref name="ElementOps"/>),
/// matching how MLPerf Tiny and Vela's conv/FC totals count network MACs.</param>
/// <param name="ElementOps">Arithmetic that is not a multiply-accumulate: pooling window taps
/// (output elements · Kh · Kw), one per output element for elementwise and activation operators, one per
/// input element for reductions and softmax; 0 for pure data movement.</param>
/// <param name="OutputElements">Elements of all outputs.</param>
/// <param name="ActivationBytesRead">Bytes of the non-constant inputs (each listed input counted).</param>
/// <param name="ActivationBytesWritten">Bytes of the outputs.</param>
/// <param name="WeightBytes">Bytes of constant inputs in a weight role (filters, FC and recurrent
/// matrices, constant operands of elementwise ops, lookup tables).</param>
/// <param name="BiasBytes">Bytes of constant bias inputs.</param>
/// <param name="WeightElements">Elements of the constant weight inputs (biases excluded).</param>
/// <param name="Parameters">Elements of the constant weight and bias inputs.</param>
public readonly record struct OpCost(
    long Macs,
    long ElementOps,
    long OutputElements,
    long ActivationBytesRead,
    long ActivationBytesWritten,
    long WeightBytes,
    long BiasBytes,
    long WeightElements,
    long Parameters)
{
    /// <summary>All bytes the operator touches: activations read and written, weights and biases.</summary>
    public long TotalBytes => ActivationBytesRead + ActivationBytesWritten + WeightBytes + BiasBytes;

    /// <summary>Component-wise sum; throws <see cref="OverflowException"/> when a component passes 64 bits.</summary>
    public static OpCost operator +(OpCost a, OpCost b) => checked(new(
        a.Macs + b.Macs, a.ElementOps + b.ElementOps, a.OutputElements + b.OutputElements,
        a.ActivationBytesRead + b.ActivationBytesRead, a.ActivationBytesWritten + b.ActivationBytesWritten,
        a.WeightBytes + b.WeightBytes, a.BiasBytes + b.BiasBytes, a.WeightElements + b.WeightElements,
        a.Parameters + b.Parameters));

    /// <summary>Component-wise sum (named alternative to <c>+</c>).</summary>
    public static OpCost Add(OpCost left, OpCost right) => left + right;
}
