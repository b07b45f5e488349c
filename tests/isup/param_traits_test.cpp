// Every header octet of every table-described parameter is covered by exactly one field:
// that is what makes decode → encode lossless without special cases.
#include <gtest/gtest.h>

#include "isup/param_traits.h"

namespace siptgw::isup {
namespace {

template <class T>
void expectCover(std::span<const Field<T>> fields, uint8_t header, const char* what) {
  std::array<uint8_t, 4> seen{};
  for (const Field<T>& f : fields) {
    ASSERT_LT(f.octet, header) << what << "." << f.name;
    ASSERT_LE(f.shift + f.width, 8) << what << "." << f.name;
    const uint8_t bits = static_cast<uint8_t>(f.mask() << f.shift);
    EXPECT_EQ(seen[f.octet] & bits, 0) << what << "." << f.name << " overlaps";
    seen[f.octet] |= bits;
  }
  for (uint8_t i = 0; i < header; ++i) EXPECT_EQ(seen[i], 0xFF) << what << " octet " << int(i);
}

template <class... Ts>
void checkAll(std::variant<Ts...>*) {
  auto one = []<class T>(T*) {
    if constexpr (HeaderDescribed<T>) expectCover<T>(Traits<T>::fields, Traits<T>::header, typeid(T).name());
  };
  (one(static_cast<Ts*>(nullptr)), ...);
}

TEST(ParamTraits, EveryHeaderBitIsDescribedOnce) { checkAll(static_cast<ParamValue*>(nullptr)); }

TEST(ParamTraits, EveryNumberLayoutCoversAllBitsButOddEven) {
  for (Variant v : {Variant::Itu, Variant::Ansi}) {
    for (int c = 0; c < 256; ++c) {
      const NumberLayout* l = numberLayout(v, static_cast<uint8_t>(c));
      if (!l) continue;
      std::array<uint8_t, 4> seen{};
      seen[l->odd_even_octet] = 0x80;
      for (const auto& f : l->fields) {
        const uint8_t bits = static_cast<uint8_t>(f.mask() << f.shift);
        EXPECT_EQ(seen[f.octet] & bits, 0) << c << "." << f.name;
        seen[f.octet] |= bits;
      }
      for (uint8_t i = 0; i < l->header; ++i) EXPECT_EQ(seen[i], 0xFF) << "code " << c << " octet " << int(i);
    }
  }
}

TEST(ParamTraits, RegistryNamesAreUniqueAndResolveBack) {
  for (Variant v : {Variant::Itu, Variant::Ansi}) {
    for (int c = 1; c < 256; ++c) {
      const ParamInfo* i = paramInfo(v, static_cast<uint8_t>(c));
      if (!i) continue;
      EXPECT_EQ(paramCodeFromName(v, i->name), c) << i->name;
      if (i->alternative == 1) {
        EXPECT_NE(numberLayout(v, static_cast<uint8_t>(c)), nullptr) << i->name;
      }
    }
  }
  EXPECT_EQ(paramName(Variant::Itu, 0xC0), "generic_number");
  EXPECT_EQ(paramName(Variant::Ansi, 0xC0), "generic_address");
  EXPECT_EQ(paramName(Variant::Itu, 0xEB), "");
  EXPECT_EQ(paramName(Variant::Ansi, 0xEB), "charge_number");
}

}  // namespace
}  // namespace siptgw::isup
