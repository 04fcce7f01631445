// bench_cgal.cpp -- reference timing of CGAL's 3D Delaunay triangulation.
//
// What it measures: for each .npy input (float64, C order, shape (n, 3)) it
// builds CGAL::Delaunay_triangulation_3<Epick> with the range insert
// T.insert(begin, end) (CGAL spatially sorts internally), single-threaded,
// and reports min / median wall-clock milliseconds per triangulation:
//   "build"       : triangulation only (includes copying nothing; points are
//                   preloaded into a std::vector<Point> outside the timer);
//   "build+cells" : triangulation plus a loop over all finite cells computing
//                   the tetrahedron volume and its 6 edge lengths, summed
//                   into a volatile sink (mimics starmill's per-cell work).
// Each variant is repeated until 1.5 s of work or 2000 repetitions, whichever
// comes first, after one untimed warm-up run.
//
// Run:  bash tools/bench_cgal.sh          (installs libcgal-dev, builds, runs)
// Or:   g++ -O3 -DNDEBUG -DCGAL_NDEBUG -o /tmp/bench_cgal tools/bench_cgal.cpp -lgmp
//       /tmp/bench_cgal file1.npy [file2.npy ...]
#include <CGAL/Exact_predicates_inexact_constructions_kernel.h>
#include <CGAL/Delaunay_triangulation_3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

typedef CGAL::Exact_predicates_inexact_constructions_kernel K;
typedef CGAL::Delaunay_triangulation_3<K> DT;
typedef K::Point_3 Point;

// Minimal .npy reader: v1.0/2.0/3.0, '<f8', C order, shape (n, 3).
static std::vector<Point> read_npy(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    char magic[8];
    f.read(magic, 8);
    if (!f || std::string(magic, 6) != "\x93NUMPY")
        throw std::runtime_error(path + ": not a .npy file");
    unsigned char major = magic[6];
    uint32_t hlen = 0;
    if (major == 1) {
        unsigned char b[2];
        f.read(reinterpret_cast<char*>(b), 2);
        hlen = b[0] | (b[1] << 8);
    } else if (major == 2 || major == 3) {
        unsigned char b[4];
        f.read(reinterpret_cast<char*>(b), 4);
        hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
    } else {
        throw std::runtime_error(path + ": unsupported .npy version");
    }
    std::string h(hlen, '\0');
    f.read(&h[0], hlen);
    if (h.find("'descr': '<f8'") == std::string::npos)
        throw std::runtime_error(path + ": dtype is not '<f8'");
    if (h.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path + ": fortran_order is not False");
    size_t s = h.find("'shape': (");
    if (s == std::string::npos) throw std::runtime_error(path + ": no shape");
    size_t n = 0, d = 0;
    if (std::sscanf(h.c_str() + s + 10, "%zu, %zu)", &n, &d) != 2 || d != 3)
        throw std::runtime_error(path + ": shape is not (n, 3)");
    std::vector<double> xyz(3 * n);
    f.read(reinterpret_cast<char*>(xyz.data()), xyz.size() * sizeof(double));
    if (!f) throw std::runtime_error(path + ": truncated data");
    std::vector<Point> pts;
    pts.reserve(n);
    for (size_t i = 0; i < n; ++i) pts.emplace_back(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    return pts;
}

static volatile double sink;

static double cell_work(const DT& T) {
    double acc = 0.0;
    for (auto c = T.finite_cells_begin(); c != T.finite_cells_end(); ++c) {
        const Point* p[4];
        for (int i = 0; i < 4; ++i) p[i] = &c->vertex(i)->point();
        double ux = p[1]->x() - p[0]->x(), uy = p[1]->y() - p[0]->y(), uz = p[1]->z() - p[0]->z();
        double vx = p[2]->x() - p[0]->x(), vy = p[2]->y() - p[0]->y(), vz = p[2]->z() - p[0]->z();
        double wx = p[3]->x() - p[0]->x(), wy = p[3]->y() - p[0]->y(), wz = p[3]->z() - p[0]->z();
        acc += std::fabs(ux * (vy * wz - vz * wy) - uy * (vx * wz - vz * wx) + uz * (vx * wy - vy * wx)) / 6.0;
        for (int i = 0; i < 4; ++i)
            for (int j = i + 1; j < 4; ++j) {
                double dx = p[i]->x() - p[j]->x(), dy = p[i]->y() - p[j]->y(), dz = p[i]->z() - p[j]->z();
                acc += std::sqrt(dx * dx + dy * dy + dz * dz);
            }
    }
    return acc;
}

struct Stats { double min_ms, med_ms; size_t reps, cells, verts; };

static Stats bench(const std::vector<Point>& pts, bool with_cells) {
    typedef std::chrono::steady_clock clk;
    auto one = [&](size_t& cells, size_t& verts) {
        DT T;
        T.insert(pts.begin(), pts.end());
        if (with_cells) sink = cell_work(T);
        cells = T.number_of_finite_cells();
        verts = T.number_of_vertices();
    };
    Stats st{0, 0, 0, 0, 0};
    one(st.cells, st.verts);  // warm-up
    std::vector<double> ms;
    double total = 0.0;
    while (total < 1500.0 && ms.size() < 2000) {
        auto t0 = clk::now();
        one(st.cells, st.verts);
        double dt = std::chrono::duration<double, std::milli>(clk::now() - t0).count();
        ms.push_back(dt);
        total += dt;
    }
    std::sort(ms.begin(), ms.end());
    st.min_ms = ms.front();
    st.med_ms = ms[ms.size() / 2];
    st.reps = ms.size();
    return st;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s points.npy [more.npy ...]\n", argv[0]);
        return 2;
    }
    std::printf("| input | n | vertices | finite cells | build min ms | build median ms | reps "
                "| build+cells min ms | build+cells median ms | reps |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int a = 1; a < argc; ++a) {
        std::string path = argv[a];
        std::vector<Point> pts = read_npy(path);
        Stats b = bench(pts, false);
        Stats c = bench(pts, true);
        std::string name = path.substr(path.find_last_of('/') + 1);
        std::printf("| %s | %zu | %zu | %zu | %.4f | %.4f | %zu | %.4f | %.4f | %zu |\n", name.c_str(),
                    pts.size(), b.verts, b.cells, b.min_ms, b.med_ms, b.reps, c.min_ms, c.med_ms, c.reps);
        std::fflush(stdout);
    }
    return 0;
}
