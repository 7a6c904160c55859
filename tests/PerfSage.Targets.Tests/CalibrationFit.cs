using PerfSage.Graph;

namespace PerfSage.Targets.Tests;

/// <summary>
/// The offline fit behind the catalog's fitted Cortex-M coefficients: for one (core, stack) row, the
/// cycles/MAC of convolution, depthwise and fully connected operators that minimise the sum of squared
/// relative errors over the four MLPerf Tiny models, with every other term (per-op overhead, elementwise,
/// pooling, softmax, reshape) held at the catalog's assumed values. Solved as 3×3 normal equations; a
/// coefficient that would come out negative is clamped to zero and the rest refitted.
/// </summary>
internal static class CalibrationFit
{
    public static double[] Fit(CortexMSpec spec, CortexMStack stack, OpGraph[] graphs, double[] measuredMs, double clockMhz)
    {
        int n = graphs.Length;
        var a = new double[n, 3];
        var b = new double[n];
        for (int m = 0; m < n; m++)
        {
            double measuredCycles = measuredMs[m] * clockMhz * 1000;
            (double[] macs, double fixedCycles) = Terms(spec, stack, graphs[m]);
            for (int c = 0; c < 3; c++)
            {
                a[m, c] = macs[c] / measuredCycles;
            }
            b[m] = (measuredCycles - fixedCycles) / measuredCycles;
        }
        bool[] active = [true, true, true];
        while (true)
        {
            double[] x = Solve(a, b, active);
            int negative = Array.FindIndex(x, v => v < 0);
            if (negative < 0)
            {
                return x;
            }
            active[negative] = false;
        }
    }

    /// <summary>MACs of the three fitted classes, and the cycles of everything else under the catalog's values.</summary>
    public static (double[] Macs, double FixedCycles) Terms(CortexMSpec spec, CortexMStack stack, OpGraph graph)
    {
        var macs = new double[3];
        double fixedCycles = 0;
        CortexMStackCosts costs = spec.Stack(stack);
        foreach (OpNode node in graph.Nodes)
        {
            CortexMOpClass c = CortexMOpClasses.Of(node);
            CortexMCoefficients k = costs[c];
            OpCost cost = node.Cost;
            int fitted = c switch
            {
                CortexMOpClass.Conv => 0,
                CortexMOpClass.Depthwise => 1,
                CortexMOpClass.FullyConnected => 2,
                _ => -1,
            };
            if (fitted >= 0)
            {
                macs[fitted] += cost.Macs;
            }
            else
            {
                fixedCycles += k.CyclesPerMac * cost.Macs;
            }
            fixedCycles += k.CyclesPerElementOp * cost.ElementOps + k.CyclesPerOutput * cost.OutputElements
                + k.CyclesPerByte * (cost.ActivationBytesRead + cost.ActivationBytesWritten) + costs.PerOpOverheadCycles.Value;
        }
        return (macs, fixedCycles);
    }

    private static double[] Solve(double[,] a, double[] b, bool[] active)
    {
        int[] idx = Enumerable.Range(0, 3).Where(i => active[i]).ToArray();
        int k = idx.Length;
        var m = new double[k, k + 1];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double s = 0;
                for (int r = 0; r < b.Length; r++)
                {
                    s += a[r, idx[i]] * a[r, idx[j]];
                }
                m[i, j] = s;
            }
            double v = 0;
            for (int r = 0; r < b.Length; r++)
            {
                v += a[r, idx[i]] * b[r];
            }
            m[i, k] = v;
        }
        for (int col = 0; col < k; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < k; r++)
            {
                if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col]))
                {
                    pivot = r;
                }
            }
            for (int j = 0; j <= k; j++)
            {
                (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
            }
            for (int r = 0; r < k; r++)
            {
                if (r == col)
                {
                    continue;
                }
                double f = m[r, col] / m[col, col];
                for (int j = col; j <= k; j++)
                {
                    m[r, j] -= f * m[col, j];
                }
            }
        }
        var x = new double[3];
        for (int i = 0; i < k; i++)
        {
            x[idx[i]] = m[i, k] / m[i, i];
        }
        return x;
    }
}
