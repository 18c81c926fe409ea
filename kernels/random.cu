// random.cu: Gaussian matrices from the Philox stream of package philox.
#include "gradcheck.cuh"

// gc_gaussian fills count matrices of size entries each: matrix c is
// philox.Fill(out[c], key, stream, first + c), bit for bit. One thread makes
// one pair of entries; threads loop over the pairs of all matrices.
extern "C" __global__ void gc_gaussian(double *out, ll count, ll size, ll key, ll stream,
                                       ll first) {
    ll pairs = (size + 1) / 2;
    ll total = count * pairs;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll c = t / pairs, p = t - c * pairs;
        double x, y;
        philox_pair((ull)key, (unsigned)stream, (unsigned)(first + c), (unsigned)p, &x, &y);
        double *m = out + c * size;
        m[2 * p] = x;
        if (2 * p + 1 < size) {
            m[2 * p + 1] = y;
        }
    }
}
